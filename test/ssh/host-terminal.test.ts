import { describe, expect, it } from 'vitest'
import { SshPool } from '../../src/core/ssh/pool'
import { createTerminalService } from '../../src/core/terminal/handlers'
import { EventLog } from './helpers'

describe('host terminal (node-pty)', () => {
  it('runs a local shell with batching, resize and close', async () => {
    const events = new EventLog()
    const pool = new SshPool({ calHome: '/nonexistent', resolveTarget: async () => ({ host: '127.0.0.1', port: 1 }), credentials: () => ({ user: 'x', password: 'x', unlockKeychain: false }) })
    const svc = createTerminalService({ pool, emit: events.emit, calHome: '/nonexistent' })
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
})
