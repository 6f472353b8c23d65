import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SshPool } from '../../src/core/ssh/pool'
import type { TerminalService } from '../../src/core/terminal/handlers'
import type { SimHost, SimVm } from '../sim/harness'
import { startTerminalRig, type EventLog, type TerminalRig } from './helpers'

/** When a tab's tmux server goes away: a `tmux kill-server` ends the session; a VM shutting down does not. */
const VM = 'tmux-lost'
const simDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../sim')
let sim: SimHost
let vm: SimVm
let pool: SshPool
let terminals: TerminalService
let events: EventLog

let rig: TerminalRig

beforeAll(async () => {
  rig = await startTerminalRig(VM)
  ;({ sim, vm, pool, terminals, events } = rig)
})

afterAll(async () => {
  await rig?.close()
})

const statesOf = (id: string) => events.states.filter((e) => e.id === id)

/**
 * A graceful shutdown in the order that closes tabs: SIGTERM to the guest's tmux first, then (200 ms later) to
 * every other process, sshd and its listener included, as launchd's shutdown may. The simulator's own `tart stop` stops them all at
 * once, so this order is made here.
 */
async function shutDownTmuxFirst(): Promise<void> {
  const script = `import os, signal, sys, time
sys.path.insert(0, sys.argv[2])
from tartsim.guest import guest_pid_from_runtime, same_pidns
init = guest_pid_from_runtime(sys.argv[1])
pids = same_pidns(init)  # the guest's init is its sshd listener: it goes too
name = lambda p: open('/proc/%d/comm' % p).read().strip()
tmux = [p for p in pids if name(p).startswith('tmux')]
for p in tmux: os.kill(p, signal.SIGTERM)
time.sleep(0.2)
for p in pids:
    if p not in tmux:
        try: os.kill(p, signal.SIGTERM)
        except ProcessLookupError: pass
print(len(tmux))`
  const r = await execa('python3', ['-c', script, sim.vmPath(VM), simDir])
  expect(Number(r.stdout.trim())).toBeGreaterThan(0)
}

describe('a tab whose tmux server goes away', () => {
  it('closes, saying so, when the tmux server stops while the VM runs on', async () => {
    const s = await terminals.open({ vm: VM, kind: 'shell', cols: 80, rows: 24 })
    await events.until(() => events.text(s.id).includes('$ '), 'the prompt') // tmux's server is up
    await pool.exec(VM, 'tmux kill-server')
    await events.until(() => statesOf(s.id).some((e) => e.state === 'closed'), 'the tab closed')
    expect(statesOf(s.id).find((e) => e.state === 'closed')?.message).toBe('The tmux session ended: its tmux server stopped.')
    expect(statesOf(s.id).some((e) => e.state === 'reconnecting')).toBe(false)
  })

  it('reconnects instead of closing when the VM shuts down with tmux going first, and reattaches after the restart', async () => {
    const s = await terminals.open({ vm: VM, kind: 'shell', cols: 80, rows: 24 })
    await events.until(() => events.text(s.id).includes('$ '), 'the prompt')
    await shutDownTmuxFirst()
    await events.until(() => statesOf(s.id).some((e) => e.state === 'reconnecting'), 'the tab reconnecting', 30_000)
    expect(statesOf(s.id).some((e) => e.state === 'closed')).toBe(false)
    await vm.stop().catch(() => undefined) // its guest is gone already
    vm = sim.startVm(VM)
    await sim.waitForIp(vm)
    await events.until(() => statesOf(s.id).at(-1)?.state === 'connected', 'the tab back after the restart', 60_000)
    expect(statesOf(s.id).at(-1)?.message).toMatch(/new tmux session|did not survive/i)
    await terminals.close({ id: s.id, mode: 'end' })
  }, 120_000)
})
