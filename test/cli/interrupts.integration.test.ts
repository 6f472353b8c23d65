// A terminal's Ctrl+C (SIGINT to cal's whole process group) and a kill, while a step that must not be cut runs: the
// built `cal` as its own process against the simulated host, with a Tart wrapper that makes one verb slow.
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimHost, sshExec, type SimHost } from '../sim/harness'
import { BUILT_CAL as calJs, createSimEngine, requireBuiltCal, stopEverything, type SimEngine } from '../engine/sim-engine'

const isRoot = process.getuid?.() === 0
const T = 120_000

describe.skipIf(!isRoot)('cal interrupted', () => {
  let host: SimHost
  let eng: SimEngine
  let dir: string
  let slowTart: string

  beforeAll(async () => {
    requireBuiltCal()
    host = await createSimHost()
    eng = await createSimEngine(host)
    dir = mkdtempSync(join(tmpdir(), 'cal-interrupts-'))
    // As a Tart wrapper script may: one verb (SLOW_VERB) takes SLOW_SECS longer.
    slowTart = join(dir, 'tart')
    writeFileSync(slowTart, `#!/bin/sh\nif [ "$1" = "$SLOW_VERB" ]; then sleep "$SLOW_SECS"; fi\nexec ${host.tartPath} "$@"\n`)
    chmodSync(slowTart, 0o755)
  }, T)
  afterAll(async () => {
    if (host) await stopEverything(host)
    await host?.cleanup()
    await eng?.dispose()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** `cal ARGS` leading a process group of its own, as a shell's foreground job does; `signal` goes to all of it. */
  function cal(args: string[], slow: { verb: string; seconds: number }, when: (stderr: string) => boolean, signal: NodeJS.Signals) {
    const env = { ...process.env, ...host.env, CAL_HOME: eng.calHome, CAL_TART: slowTart, SLOW_VERB: slow.verb, SLOW_SECS: String(slow.seconds) }
    const child = spawn(process.execPath, [calJs, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let stdout = ''
    let stderr = ''
    let sent = false
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (!sent && when(stderr)) {
        sent = true
        // A moment into the step, so the signal lands inside the slow Tart call.
        setTimeout(() => process.kill(-child.pid!, signal), 500)
      }
    })
    return new Promise<{ code: number | null; stdout: string; stderr: string; sent: boolean }>((r) => child.once('close', (code) => r({ code, stdout, stderr, sent })))
  }

  it("a Ctrl+C during a restore's swap does not cut it: the restore finishes and says so", async () => {
    const vm = await host.bootVm('int-r')
    await sshExec(vm, 'echo before > ~/mark.txt')
    expect((await eng.cal(['snapshot', 'create', 'int-r', 'base'])).code).toBe(0)
    await sshExec(vm, 'echo after > ~/mark.txt').catch(() => {})
    const r = await cal(['snapshot', 'restore', 'int-r', 'base', '--yes'], { verb: 'rename', seconds: 2 }, (text) => text.includes('→ Replace the working VM'), 'SIGINT')
    expect(r.sent).toBe(true)
    // Before, the terminal's SIGINT also ended the `tart rename` under way: "was cancelled", exit 130, the VM powered off.
    expect(r.stderr).toContain('not cancelled: "Restore int-r to "base"" cannot be cancelled safely once started.')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('int-r restored to snapshot base.')
    const info = await eng.svc.get('int-r')
    expect(info.state).toBe('running')
    expect((await sshExec({ ...vm, host: info.ip! }, 'cat ~/mark.txt')).stdout.trim()).toBe('before')
  }, T)

  it('cal run: a kill during the session snapshot brings the VM back, launches nothing, and says so', async () => {
    const r = await cal(['run', 'int-r', '--yes'], { verb: 'clone', seconds: 2 }, (text) => text.includes('→ Clone the disk'), 'SIGTERM')
    expect(r.sent).toBe(true)
    // Before, cal died at once with nothing said, the VM left suspended.
    expect(r.code, r.stderr).toBe(143)
    expect(r.stderr).toContain('cancelling… Claude Code will not be launched')
    expect(r.stderr).toMatch(/Not launched: .*int-r runs as before/)
    const info = await eng.svc.get('int-r')
    expect(info.state).toBe('running')
    const vm = { host: info.ip!, port: 22, username: 'admin', password: 'admin' }
    expect((await sshExec(vm, 'tmux ls -F "#{session_name}" 2>/dev/null || true')).stdout).not.toContain('cal-agent')
  }, T)

  it('cal run on a running VM without an address fails at once, before a session snapshot pauses it', async () => {
    const vm = await host.bootVm('int-noip')
    await host.setFaults('int-noip', { no_ip: true })
    try {
      const started = Date.now()
      const r = await eng.cal(['run', 'int-noip', '--yes'])
      expect(r.stderr).toContain('The VM "int-noip" has no network address, so its agent cannot start.')
      expect(r.code).not.toBe(0)
      expect(Date.now() - started).toBeLessThan(15_000)
      expect(await eng.svc.listSnapshots('int-noip')).toEqual([])
      expect((await eng.svc.get('int-noip')).state).toBe('running')
    } finally {
      await host.setFaults('int-noip', {})
      await vm.stop()
    }
  }, T)
})
