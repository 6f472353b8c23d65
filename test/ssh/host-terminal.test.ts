import { delimiter, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SshPool } from '../../src/core/ssh/pool'
import { createTerminalService } from '../../src/core/terminal/handlers'
import { hostShell, hostShellEnv } from '../../src/core/terminal/host-terminal'
import { EventLog } from './helpers'

const SIM_TART = resolve(__dirname, '../sim/bin/tart')

function noPool(): SshPool {
  return new SshPool({ calHome: '/nonexistent', resolveTarget: async () => ({ host: '127.0.0.1', port: 1 }), credentials: () => ({ user: 'x', password: 'x', unlockKeychain: false }) })
}

describe('host terminal (node-pty)', () => {
  it('runs a local shell with batching, resize and close', async () => {
    const events = new EventLog()
    const svc = createTerminalService({ pool: noPool(), emit: events.emit, calHome: '/nonexistent' })
    const s = await svc.open({ vm: null, kind: 'host', cols: 80, rows: 24 })
    expect(s).toMatchObject({ vm: null, kind: 'host', state: 'connected', tmuxSession: null })
    svc.resize({ id: s.id, cols: 91, rows: 33 })
    svc.input({ id: s.id, data: 'echo "sz=$(stty size)"; echo "sum=$((20+22))"\r' })
    await events.until(() => /sum=42/.test(events.text(s.id)) && /sz=33 91/.test(events.text(s.id)), 'host shell output')
    svc.ack({ id: s.id, bytes: events.text(s.id).length })
    await svc.close({ id: s.id, mode: 'end' })
    expect(svc.list()).toEqual([])
    expect(events.states.at(-1)).toMatchObject({ id: s.id, state: 'closed' })
  })

  it('puts the Tart CAL drives first on PATH, so `tart` in the Host tab acts on the same VMs', async () => {
    const events = new EventLog()
    const svc = createTerminalService({ pool: noPool(), emit: events.emit, calHome: '/nonexistent', tartPath: () => SIM_TART })
    const s = await svc.open({ vm: null, kind: 'host', cols: 80, rows: 24 })
    svc.input({ id: s.id, data: 'echo "which=$(command -v tart)"\r' })
    await events.until(() => events.text(s.id).includes(`which=${SIM_TART}`), 'tart resolved to the simulated host')
    await svc.close({ id: s.id, mode: 'end' })
  })

  it('builds the shell environment without touching PATH for a bare `tart` or an oddly named executable', () => {
    const base = { PATH: `/usr/bin${delimiter}/bin`, HOME: '/home/me', UNSET: undefined }
    expect(hostShellEnv('/opt/tools/tart', base)).toEqual({ PATH: `/opt/tools${delimiter}/usr/bin${delimiter}/bin`, HOME: '/home/me', TERM: 'xterm-256color', COLORTERM: 'truecolor' })
    expect(hostShellEnv('tart', base).PATH).toBe(base.PATH)
    expect(hostShellEnv('/opt/tools/tart-2.0', base).PATH).toBe(base.PATH)
  })

  it('starts a login shell on macOS and an interactive one elsewhere', () => {
    expect(hostShell('darwin', {})).toEqual({ file: '/bin/zsh', args: ['-l'] })
    expect(hostShell('darwin', { SHELL: '/opt/homebrew/bin/fish' })).toEqual({ file: '/opt/homebrew/bin/fish', args: ['-l'] })
    expect(hostShell('linux', { SHELL: '/bin/zsh' })).toEqual({ file: '/bin/zsh', args: [] })
  })
})
