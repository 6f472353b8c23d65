// The built `cal` as its own process, for what only its entry point (cal.ts) decides: the CAL_HOME it is given and
// the version it reports. No Tart is needed: CAL_TART names one that does not exist.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT_CAL, requireBuiltCal } from '../engine/sim-engine'

let dir: string
beforeAll(() => {
  requireBuiltCal()
  dir = mkdtempSync(join(tmpdir(), 'cal-built-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function cal(args: string[], calHome: string) {
  const r = spawnSync(process.execPath, [BUILT_CAL, ...args], { env: { ...process.env, CAL_HOME: calHome, CAL_TART: join(dir, 'no-tart') }, encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('the built cal', () => {
  it('names a CAL_HOME that is a file, without a stack trace: every verb refuses, cal doctor lists it among its checks', () => {
    const file = join(dir, 'cal-home-file')
    writeFileSync(file, '')
    const r = cal(['list'], file)
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toBe(`error: CAL_HOME "${file}" is not a folder.\nhint: CAL keeps its data in a folder: move the file ${file} away, or point CAL_HOME at a folder.\n`)
    expect(cal(['list'], join(file, 'sub')).stderr).toBe(`error: CAL_HOME "${join(file, 'sub')}" cannot be a folder: "${file}" above it is a file.\nhint: CAL keeps its data in a folder: move the file ${file} away, or point CAL_HOME at a folder.\n`)
    // The doctor runs all its checks and lists this one with them (its exit code is Tart's here: none is installed).
    const d = cal(['doctor'], file)
    expect(d.code, d.stderr).toBe(8)
    expect(d.stdout).toContain(`[FAIL] CAL_HOME ${file} is not writable: ${file} is a file, not a folder\n       fix: Move the file ${file} away, or point CAL_HOME at a folder.\n`)
    // A file further up is the one named, not a raw "ENOTDIR … stat" of the path below it.
    const below = cal(['doctor'], join(file, 'sub'))
    expect(below.stdout).toContain(`[FAIL] CAL_HOME ${join(file, 'sub')} is not writable: ${file} is a file, not a folder\n       fix: Move the file ${file} away, or point CAL_HOME at a folder.\n`)
    expect(d.stdout).toMatch(/\[FAIL\] Tart/)
    expect(d.stdout).not.toContain('SSH key')
    expect(readFileSync(file, 'utf8')).toBe('')
  })

  it('says on any verb that it set an unreadable settings file aside, and that snapshot deletion is off', () => {
    const home = join(dir, 'home-bad-settings')
    cal(['--version'], home)
    spawnSync('mkdir', ['-p', home])
    writeFileSync(join(home, 'settings.json'), '{"version": 1, "snapshots": {"keep": 0,, "maxAgeDays": 0}}')
    const r = cal(['list'], home)
    expect(r.stderr).toMatch(/^cal: The settings file could not be read \(not valid JSON at position \d+\)\. It was kept as .*settings\.json\.corrupt-.*\.bak and the defaults were restored, with automatic snapshot deletion off until you set it again \(Settings → Snapshots\)\.$/m)
    expect(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')).snapshots).toMatchObject({ keep: 0, maxAgeDays: 0 })
    // Said once: the next run finds a valid file.
    expect(cal(['list'], home).stderr).not.toContain('settings file')
  })

  it('reports its own version in cal status --json, as --version does', () => {
    const version = (JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version
    expect(cal(['--version'], join(dir, 'home')).stdout).toBe(`${version}\n`)
    const r = cal(['status', '--json'], join(dir, 'home'))
    expect(r.code).toBe(8)
    expect(JSON.parse(r.stdout)).toMatchObject({ tartFound: false, appVersion: version })
  })

  it('says Ctrl+C was received when it comes before any work began, not just exit 130', async () => {
    // A Tart that never answers: cal is still reading when Ctrl+C comes (the app's "first fraction of a second").
    const calls = join(dir, 'tart-calls')
    const tart = join(dir, 'slow-tart')
    writeFileSync(tart, `#!/bin/sh\necho $$ >> '${calls}'\nexec sleep 20\n`)
    chmodSync(tart, 0o755)
    const child = spawn(process.execPath, [BUILT_CAL, 'restart', 'dev'], { env: { ...process.env, CAL_HOME: join(dir, 'home'), CAL_TART: tart }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const ended = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('close', (code, signal) => r({ code, signal })))
    try {
      await expect.poll(() => existsSync(calls), { timeout: 10_000, interval: 20 }).toBe(true)
      child.kill('SIGINT')
      expect(await ended).toEqual({ code: 130, signal: null })
      expect(stderr).toBe('\ncancelled; nothing was changed.\n')
    } finally {
      child.kill('SIGKILL')
      for (const pid of readFileSync(calls, 'utf8').split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
    }
  })
})
