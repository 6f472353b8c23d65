import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, expect, it } from 'vitest'
import { TartDriver } from '../../src/core/tart/driver'

// Real processes, real signals: Tart stand-ins are small shell scripts, as a wrapper around Tart often is.
const dir = mkdtempSync(join(tmpdir(), 'cal-tart-groups-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function script(name: string, body: string): string {
  const path = join(dir, name)
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

it('a Tart wrapper whose child holds its output open still ends at the time limit, child and all', async () => {
  const pidFile = join(dir, 'hang.pid')
  // `sleep` (not exec'd) keeps the script's stdout open: execa's own timeout ended the script and then waited for ever.
  const tart = new TartDriver({ tartPath: script('hang-tart', `sleep 1000 & echo $! > ${pidFile}; wait`) })
  const started = Date.now()
  await expect(tart.call(['list'], { timeoutMs: 500 })).rejects.toMatchObject({ code: 'TART_FAILED', message: 'tart list did not finish within 1 s.' })
  expect(Date.now() - started).toBeLessThan(5_000)
  const child = Number(readFileSync(pidFile, 'utf8'))
  await expect.poll(() => alive(child), { timeout: 3_000 }).toBe(false)
})

it('a cancel ends the Tart call and what it started', async () => {
  const pidFile = join(dir, 'cancel.pid')
  const tart = new TartDriver({ tartPath: script('slow-tart', `sleep 1000 & echo $! > ${pidFile}; wait`) })
  const ac = new AbortController()
  const call = tart.call(['clone', 'a', 'b'], { signal: ac.signal })
  await expect.poll(() => existsSync(pidFile)).toBe(true)
  ac.abort()
  await expect(call).rejects.toMatchObject({ code: 'CANCELLED', message: 'tart clone was cancelled.' })
  await expect.poll(() => alive(Number(readFileSync(pidFile, 'utf8'))), { timeout: 3_000 }).toBe(false)
})

it("Tart runs in a process group of its own: a terminal's Ctrl+C (SIGINT to cal's whole group) reaches cal alone", async () => {
  // cal decides what a Ctrl+C means (cancel, or finish a step that must not be cut); a Tart in cal's group would
  // have been ended by it half-way through a restore's swap or a delete.
  const tart = new TartDriver({ tartPath: script('group-tart', 'echo "$$ $(ps -o pgid= -p $$)"') })
  const [pid, group] = (await tart.call(['list'])).trim().split(/\s+/).map(Number)
  const ours = Number((await execa('ps', ['-o', 'pgid=', '-p', String(process.pid)])).stdout.trim())
  expect(group).toBe(pid)
  expect(group).not.toBe(ours)
})

it('a Tart script whose interpreter is missing is not "not found": it is there, and cannot run', async () => {
  const path = join(dir, 'bad-shebang')
  writeFileSync(path, '#!/nonexistent/interp\n')
  chmodSync(path, 0o755)
  await expect(new TartDriver({ tartPath: path }).call(['list'])).rejects.toMatchObject({
    code: 'TART_NOT_FOUND',
    message: `Tart at "${path}" exists but cannot be run: it is a script whose interpreter (its first line) is missing.`,
  })
  await expect(new TartDriver({ tartPath: join(dir, 'nothing-here') }).call(['list'])).rejects.toMatchObject({ code: 'TART_NOT_FOUND', message: `Tart was not found (looked for "${join(dir, 'nothing-here')}").` })
})
