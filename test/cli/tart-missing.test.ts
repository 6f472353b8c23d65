// cal with no usable Tart, through the real engine: missing, there but not executable, or a folder. Every verb,
// cal doctor included, exits 8 and says which it is and what to do.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine } from '../../src/core/engine'
import { runCli } from '../../src/cli/main'

let dir: string
let notExecutable: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cal-tart-missing-'))
  notExecutable = join(dir, 'tart')
  writeFileSync(notExecutable, '#!/bin/sh\necho 2.32.1\n')
  // No execute bit for anyone: even root cannot run it.
  chmodSync(notExecutable, 0o644)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** `cal ARGS` as cal.ts runs it: Tart from --tart, else CAL_TART (`env`). */
async function cal(args: string[], env: { CAL_TART?: string } = {}) {
  let stdout = ''
  let stderr = ''
  const calHome = mkdtempSync(join(dir, 'home-'))
  const saved = process.env.CAL_TART
  if (env.CAL_TART) process.env.CAL_TART = env.CAL_TART
  else delete process.env.CAL_TART
  try {
    const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false }, async (g) => {
      const engine = createEngine({ calHome, tartPath: g.tartPath ?? process.env.CAL_TART })
      return { handlers: engine.handlers, events: engine.events, calHome, dispose: () => engine.dispose() }
    })
    return { code, stdout, stderr }
  } finally {
    if (saved === undefined) delete process.env.CAL_TART
    else process.env.CAL_TART = saved
  }
}

describe('a Tart path that exists but is not executable', () => {
  it('is reported as such, with chmod +x, for --tart and for CAL_TART', async () => {
    for (const r of [await cal(['list', '--tart', notExecutable]), await cal(['list'], { CAL_TART: notExecutable })]) {
      expect(r.code).toBe(8)
      expect(r.stderr).toContain(`error: Tart at "${notExecutable}" exists but cannot be run (permission denied).`)
      expect(r.stderr).toContain(`chmod +x "${notExecutable}"`)
      expect(r.stderr).not.toContain('not found')
    }
  })

  it('found on PATH, it is named by its whole path, so that chmod +x has a file to act on', async () => {
    const savedPath = process.env.PATH
    process.env.PATH = `${dir}:${savedPath ?? ''}`
    try {
      const r = await cal(['list', '--tart', 'tart'])
      expect(r.code).toBe(8)
      expect(r.stderr).toContain(`error: Tart at "${notExecutable}" (on PATH) exists but cannot be run (permission denied).`)
      expect(r.stderr).toContain(`chmod +x "${notExecutable}"`)
    } finally {
      process.env.PATH = savedPath
    }
  })

  it('a folder is named as one', async () => {
    const r = await cal(['list', '--tart', dir])
    expect(r.code).toBe(8)
    expect(r.stderr).toContain(`is a folder, not the Tart executable`)
  })

  it('cal doctor says the same, and exits 8', async () => {
    const r = await cal(['doctor', '--tart', notExecutable])
    expect(r.code).toBe(8)
    expect(r.stdout).toContain('exists but cannot be run')
    expect(r.stdout).toContain(`fix: Make it executable (chmod +x "${notExecutable}")`)
  })
})

describe('cal doctor without Tart', () => {
  it('exits 8, as every other verb does, text or --json', async () => {
    const missing = join(dir, 'no-such-tart')
    const text = await cal(['doctor', '--tart', missing])
    expect(text.code).toBe(8)
    expect(text.stdout).toContain(`[FAIL] Tart was not found (looked for "${missing}").`)
    expect(text.stdout).toContain('brew install cirruslabs/cli/tart')
    const json = await cal(['doctor', '--json', '--tart', missing])
    expect(json.code).toBe(8)
    expect(JSON.parse(json.stdout).checks.find((c: { id: string }) => c.id === 'tart')).toMatchObject({ level: 'fail', code: 'TART_NOT_FOUND' })
    expect((await cal(['list', '--tart', missing])).code).toBe(8)
  })

  it('cal status says what to do, and does not claim that no VM runs', async () => {
    const r = await cal(['status', '--tart', join(dir, 'no-such-tart')])
    expect(r.code).toBe(8)
    expect(r.stdout).toContain('tart        not found or cannot be run: `cal doctor` says why and what to do')
    expect(r.stdout).toContain('macOS VMs   unknown without Tart')
    expect(r.stdout).not.toContain('0 of 2')
  })

  it('cal status --json fails as every verb\'s --json does, with the status beside the error', async () => {
    // It printed an ordinary status, with 0 VMs running and no "ok" or error, and exited 8.
    const missing = join(dir, 'no-such-tart')
    const r = await cal(['status', '--json', '--tart', missing])
    expect(r.code).toBe(8)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ ok: false, error: { code: 'TART_NOT_FOUND', message: `Tart was not found or cannot be run (looked for "${missing}").` }, tartFound: false, runningMacVms: null })
    expect(out.error.hint).toContain('cal doctor')
    expect(typeof out.calHome).toBe('string')
    expect(Object.keys(JSON.parse((await cal(['list', '--json', '--tart', missing])).stdout))).toEqual(['ok', 'error'])
  })

  it('the exit code is documented', async () => {
    expect((await cal(['doctor', '--help'])).stdout).toContain('8 when Tart is missing or cannot be run')
    expect((await cal(['--help'])).stdout).toMatch(/8 Tart not found or cannot be run \(every verb, cal doctor too\)/)
  })
})

describe('cal doctor with another program named tart', () => {
  it('says it is not Tart, rather than an old Tart to upgrade, and exits 8', async () => {
    const other = join(dir, 'other-tart')
    writeFileSync(other, '#!/bin/sh\necho "usage: tart [-h] [--verbose] command"\n', { mode: 0o755 })
    const r = await cal(['doctor', '--tart', other])
    expect(r.code).toBe(8)
    expect(r.stdout).toContain(`[FAIL] ${other} does not look like Tart: \`${other} --version\` printed "usage: tart [-h] [--verbose] command", not a version.`)
    expect(r.stdout).not.toContain('is old')
  })
})
