import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SshPool } from '../../src/core/ssh/pool'
import type { TerminalService } from '../../src/core/terminal/handlers'
import { startTerminalRig, type EventLog, type TerminalRig } from './helpers'

/**
 * Terminals in the VM run in a UTF-8 locale: CAL sends LANG with each terminal's channel, as OpenSSH's SendEnv does.
 * The simulated guest (Debian) has C.UTF-8, where a macOS guest has en_US.UTF-8: the pool is told which.
 */
const VM = 'locale-it'
const LOCALE = 'C.UTF-8'
const SHOW = 'echo "charmap=$(locale charmap) lang=$LANG"'
const SHOWN = /charmap=UTF-8 lang=C\.UTF-8/
let rig: TerminalRig
let pool: SshPool
let terminals: TerminalService
let events: EventLog

beforeAll(async () => {
  rig = await startTerminalRig(VM, { locale: LOCALE })
  ;({ pool, terminals, events } = rig)
})

afterAll(async () => {
  await rig?.close()
})

describe('the locale of terminals in the VM', () => {
  it('is sent with the channel: the guest has no LANG of its own', async () => {
    expect((await pool.exec(VM, 'echo "lang=$LANG"')).stdout).toBe('lang=\n')
  })

  it("a tab's shell runs in it, in the tmux server that tab started", async () => {
    await pool.exec(VM, 'tmux kill-server 2>/dev/null; true')
    const s = await terminals.open({ vm: VM, kind: 'shell', cols: 100, rows: 24 })
    await events.until(() => events.text(s.id).includes('$ '), 'the prompt')
    terminals.input({ id: s.id, data: `${SHOW}\r` })
    await events.until(() => SHOWN.test(events.text(s.id)), "the shell's locale")
    await terminals.close({ id: s.id, mode: 'end' })
  })

  it("the agent's session runs in it, in the tmux server the launch started", async () => {
    await pool.exec(VM, 'tmux kill-server 2>/dev/null; true')
    const s = await terminals.launchAgent(VM, { command: SHOW, cols: 100, rows: 24 })
    await events.until(() => SHOWN.test(events.text(s.id)), "the agent session's locale")
    await terminals.close({ id: s.id, mode: 'end' })
  })

  it('a one-off command on a PTY runs in it', async () => {
    const s = await terminals.openCommand(VM, `${SHOW}; sleep 1`, { cols: 100, rows: 24 })
    await events.until(() => SHOWN.test(events.text(s.id)), "the command's locale")
  })
})
