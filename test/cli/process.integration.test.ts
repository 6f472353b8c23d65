// The built `cal` as its own process against the simulated host, for what only a real process shows: a closed
// stderr, Ctrl+C during start, and `cal ssh` attaching tmux through OpenSSH on a real terminal (node-pty).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn as spawnPty, type IPty } from 'node-pty'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimHost, type SimHost } from '../sim/harness'
import { BUILT_CAL as calJs, createSimEngine, requireBuiltCal, stopEverything, type SimEngine } from '../engine/sim-engine'

const isRoot = process.getuid?.() === 0
const T = 90_000

describe.skipIf(!isRoot)('cal as a process', () => {
  let host: SimHost
  let eng: SimEngine

  beforeAll(async () => {
    requireBuiltCal()
    host = await createSimHost()
    eng = await createSimEngine(host)
  }, T)
  afterAll(async () => {
    if (host) await stopEverything(host)
    await host?.cleanup()
    await eng?.dispose()
  })

  const env = () => ({ ...process.env, ...host.env, CAL_HOME: eng.calHome, CAL_TART: host.tartPath })

  /** `cal ARGS` with stdout read; stderr a pipe that is read (`onStderr`) or closed at once (`closeStderr`). */
  function calProcess(args: string[], opts: { closeStderr?: boolean; closeStdout?: boolean; onStderr?: (text: string) => void; ownGroup?: boolean } = {}) {
    // ownGroup: cal leads a process group of its own, as a shell's foreground job does (a signal can reach all of it).
    const child = spawn(process.execPath, [calJs, ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownGroup })
    let stdout = ''
    let stderr = ''
    if (opts.closeStdout) child.stdout.destroy()
    else child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    if (opts.closeStderr) child.stderr.destroy()
    else child.stderr.on('data', (d: Buffer) => opts.onStderr?.((stderr += d.toString())))
    const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) => child.once('close', (code) => r({ code, stdout, stderr })))
    return { child, exited }
  }

  it('finishes the operation when nobody reads its stderr any more, and exits with its status', async () => {
    const create = await calProcess(['create', 'p1'], { closeStderr: true }).exited
    expect(create).toMatchObject({ code: 0, stdout: expect.stringContaining('Created p1') })
    const start = await calProcess(['start', 'p1'], { closeStderr: true }).exited
    expect(start).toMatchObject({ code: 0, stdout: expect.stringMatching(/p1 is running at 127\.0\.64\.\d+; SSH is ready/) })
    expect((await eng.svc.get('p1')).state).toBe('running')
  }, T)

  it('finishes and exits with its status when nobody reads its stdout (`cal stop dev | true`), without a stack trace', async () => {
    const stop = await calProcess(['stop', 'p1', '--force'], { closeStdout: true }).exited
    expect(stop.code, stop.stderr).toBe(0)
    expect(stop.stderr).not.toContain('EPIPE')
    expect((await eng.svc.get('p1')).state).toBe('stopped')
    const start = await calProcess(['start', 'p1'], { closeStdout: true }).exited
    expect(start.code, start.stderr).toBe(0)
    expect((await eng.svc.get('p1')).state).toBe('running')
  }, T)

  it("cal ssh's attach applies CAL's tmux setup, as the app's terminal does (escape-time 10 ms)", async () => {
    const pty: IPty = spawnPty(process.execPath, [calJs, 'ssh', 'p1'], { name: 'xterm-256color', cols: 100, rows: 30, env: env() as Record<string, string> })
    try {
      const attached = async () => (await eng.exec('p1', "tmux list-clients -t '=cal-agent' -F x 2>/dev/null")).stdout.trim()
      await expect.poll(attached, { timeout: 20_000, interval: 250 }).toBe('x')
      expect((await eng.exec('p1', 'tmux show -sv escape-time')).stdout.trim()).toBe('10')
      expect(Number((await eng.exec('p1', 'tmux show -gv history-limit')).stdout.trim())).toBeGreaterThanOrEqual(10_000)
    } finally {
      pty.kill()
      await eng.exec('p1', 'tmux kill-server 2>/dev/null; true')
    }
  }, T)

  it('cal ssh --session attaches only a session that runs: a typo is an error naming the sessions, not a new session', async () => {
    expect((await eng.exec('p1', "tmux new-session -d -s work 'sleep 600'")).code).toBe(0)
    const attach = (session: string) => {
      const pty: IPty = spawnPty(process.execPath, [calJs, 'ssh', 'p1', '--session', session], { name: 'xterm-256color', cols: 200, rows: 30, env: env() as Record<string, string> })
      let out = ''
      pty.onData((d) => (out += d))
      const exited = new Promise<{ code: number; out: string }>((r) => pty.onExit(({ exitCode }) => r({ code: exitCode, out })))
      return { pty, exited }
    }
    try {
      const typo = await attach('wrok').exited
      expect(typo.code).toBe(3)
      expect(typo.out).toContain('error: There is no tmux session "wrok" in p1. Did you mean "work"?')
      expect(typo.out).toContain('hint: Its sessions: work (`cal ssh p1 --list`). To start a new session with that name: `cal ssh p1 --new-session wrok`.')
      expect((await eng.exec('p1', "tmux has-session -t '=wrok'")).code).not.toBe(0)
      // Not a prefix either: "wor" is not "work".
      expect((await attach('wor').exited).code).toBe(3)
      const right = attach('work')
      try {
        const clients = async () => (await eng.exec('p1', "tmux list-clients -t '=work' -F x 2>/dev/null")).stdout.trim()
        await expect.poll(clients, { timeout: 20_000, interval: 250 }).toBe('x')
      } finally {
        right.pty.kill()
      }
    } finally {
      await eng.exec('p1', 'tmux kill-server 2>/dev/null; true')
    }
  }, T)

  it('an attach whose VM stops says the session ended with it, not that it keeps running', async () => {
    const pty: IPty = spawnPty(process.execPath, [calJs, 'ssh', 'p1', '--new-session', 'qa2'], { name: 'xterm-256color', cols: 100, rows: 30, env: env() as Record<string, string> })
    let out = ''
    pty.onData((d) => (out += d))
    const exited = new Promise<number>((r) => pty.onExit(({ exitCode }) => r(exitCode)))
    const attached = async () => (await eng.exec('p1', "tmux list-clients -t '=qa2' -F x 2>/dev/null")).stdout.trim()
    await expect.poll(attached, { timeout: 20_000, interval: 250 }).toBe('x')
    expect((await host.run(['stop', '--timeout', '2', 'p1'])).exitCode).toBe(0)
    expect(await exited).toBe(9)
    expect(out).toContain('error: The SSH connection to "p1" closed: the VM is stopped, and its tmux session "qa2" ended with it.')
    expect(out).toContain('hint: Start it again with `cal start p1`.')
    expect((await eng.cal(['start', 'p1'])).code).toBe(0)
  }, T)

  it('a create killed past its clone (no time to clean up) leaves a VM shown as cut short, not as a finished one', async () => {
    // A Tart whose `get` of the new VM hangs: the create stops there, after the clone, before it sets the VM up.
    const dir = mkdtempSync(join(tmpdir(), 'cal-hang-get-'))
    const tart = join(dir, 'tart')
    writeFileSync(tart, `#!/bin/sh\n[ "$1" = get ] && [ "$2" = half ] && exec sleep 60\nexec '${host.tartPath}' "$@"\n`, { mode: 0o755 })
    try {
      const child = spawn(process.execPath, [calJs, 'create', 'half'], { env: { ...env(), CAL_TART: tart }, stdio: ['ignore', 'pipe', 'pipe'] })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      await expect.poll(() => stderr, { timeout: 30_000 }).toContain('→ Set CPU')
      child.kill('SIGKILL')
      await new Promise((r) => child.once('close', r))
      const half = JSON.parse((await eng.cal(['list', '--json'])).stdout).find((v: { name: string }) => v.name === 'half')
      expect(half).toMatchObject({ state: 'error', error: "Its create was cut short: it may still have the image's size, MAC address and serial. Delete it and create it again." })
      expect((await eng.cal(['delete', 'half', '--yes'])).code).toBe(0)
      expect((await eng.cal(['create', 'half'])).code).toBe(0)
      expect(JSON.parse((await eng.cal(['list', '--json'])).stdout).find((v: { name: string }) => v.name === 'half')).toMatchObject({ state: 'stopped', error: null })
      expect((await eng.cal(['delete', 'half', '--yes'])).code).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, T)

  it('says, after Ctrl+C during start, that the VM was left stopped', async () => {
    expect((await eng.cal(['stop', 'p1', '--force'])).code).toBe(0)
    await host.setFaults('p1', { boot_seconds: 30 })
    let waiting!: () => void
    const waitingForIp = new Promise<void>((r) => (waiting = r))
    const start = calProcess(['start', 'p1'], { onStderr: (text) => text.includes('→ Wait for an IP address') && waiting() })
    await waitingForIp
    start.child.kill('SIGINT')
    const r = await start.exited
    expect(r.code, r.stderr).toBe(130)
    expect(r.stderr).toContain('Start p1 was cancelled; p1 was left stopped.')
    expect((await eng.svc.get('p1')).state).toBe('stopped')
    await host.setFaults('p1', {})
  }, T)

  it('still says how it left the VM when Ctrl+C is pressed again and again while the cancel winds down', async () => {
    await host.setFaults('p1', { boot_seconds: 30 })
    let waiting!: () => void
    const waitingForIp = new Promise<void>((r) => (waiting = r))
    const start = calProcess(['start', 'p1'], { onStderr: (text) => text.includes('→ Wait for an IP address') && waiting() })
    await waitingForIp
    // Impatient: one Ctrl+C every 50 ms until cal ends. One of them lands after the task ended, while cal reads the
    // state it left the VM in: execa's exit hook alone then ended cal there, with nothing said after "cancelling…".
    const presses = setInterval(() => start.child.kill('SIGINT'), 50)
    start.child.kill('SIGINT')
    const r = await start.exited.finally(() => clearInterval(presses))
    expect(r.code, r.stderr).toBe(130)
    expect(r.stderr).toContain('Start p1 was cancelled; p1 was left stopped.')
    expect((await eng.svc.get('p1')).state).toBe('stopped')
    await host.setFaults('p1', {})
  }, T)

  it('cancels a start on SIGTERM (a kill) and SIGHUP (the terminal closed) as on Ctrl+C, exiting as that signal would', async () => {
    // Before, either signal ended cal at once and left the VM booting, with nothing said. A closed terminal signals its
    // whole foreground job, so the signal reaches cal's `tart ip --wait` too (in either order): sent to the group here.
    await host.setFaults('p1', { boot_seconds: 30 })
    for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
      let waiting!: () => void
      const waitingForIp = new Promise<void>((r) => (waiting = r))
      const start = calProcess(['start', 'p1'], { ownGroup: true, onStderr: (text) => text.includes('→ Wait for an IP address') && waiting() })
      await waitingForIp
      process.kill(-start.child.pid!, signal)
      const r = await start.exited
      expect(r.code, r.stderr).toBe(code)
      expect(r.stderr).toContain('Start p1 was cancelled; p1 was left stopped.')
      expect((await eng.svc.get('p1')).state).toBe('stopped')
    }
    await host.setFaults('p1', {})
  }, T)

  it('stops the run it began even when Ctrl+C comes before Tart counts the VM as running', async () => {
    // Until `tart run` holds its lock, `tart stop` says the VM is not running: a cancel through it let the VM boot on.
    await host.setFaults('p1', { lock_delay_seconds: 3, boot_seconds: 30 })
    let waiting!: () => void
    const waitingForIp = new Promise<void>((r) => (waiting = r))
    const start = calProcess(['start', 'p1'], { onStderr: (text) => text.includes('→ Wait for an IP address') && waiting() })
    await waitingForIp
    expect((await eng.svc.get('p1')).state).toBe('stopped')
    start.child.kill('SIGINT')
    const r = await start.exited
    expect(r.code, r.stderr).toBe(130)
    expect(r.stderr).toContain('Start p1 was cancelled; p1 was left stopped.')
    await new Promise((res) => setTimeout(res, 4000))
    expect((await eng.svc.get('p1')).state).toBe('stopped')
    await host.setFaults('p1', {})
  }, T)

  it('takes Ctrl+C at a question as a no: nothing changes, and it says so on a line of its own', async () => {
    expect((await eng.cal(['snapshot', 'create', 'p1', 'keep'])).code).toBe(0)
    const pty: IPty = spawnPty(process.execPath, [calJs, 'snapshot', 'delete', 'p1', 'keep'], { name: 'xterm-256color', cols: 120, rows: 30, env: env() as Record<string, string> })
    let screen = ''
    let interrupted = false
    const exited = new Promise<number>((r) => pty.onExit(({ exitCode }) => r(exitCode)))
    pty.onData((d) => {
      screen += d
      if (!interrupted && screen.includes('[y/N] ')) {
        interrupted = true
        pty.write('\x03')
      }
    })
    const code = await exited
    expect(code, screen).toBe(130)
    const after = screen.slice(screen.indexOf('[y/N] '))
    expect(after.split('\n')[0], screen).not.toContain('error:')
    expect(after).toContain('Snapshot "keep" was kept; nothing was changed.')
    expect(screen).not.toContain('The operation was cancelled')
    expect((await eng.cal(['snapshot', 'list', 'p1'])).stdout).toContain('keep')
  }, T)
})
