import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventPayload } from '../../src/shared/api'
import { terminalHandlers, terminalSends } from '../../src/core/terminal/handlers'
import { startTerminalRig, type TerminalRig } from './helpers'

/** A dropped tab's "Retry now": the engine reattaches at once instead of when its backoff ends. */
const VM = 'retry-now'
let rig: TerminalRig

beforeAll(async () => {
  rig = await startTerminalRig(VM)
})

afterAll(async () => {
  await rig?.close()
})

type StateEvent = EventPayload<'terminal:state'>

describe('retry now', () => {
  it('reattaches well before the backoff would have, keeps what was typed meanwhile, and a second retry attaches nothing more', async () => {
    const { sim, pool, terminals, events } = rig
    const handlers = terminalHandlers(terminals)
    const s = await handlers['terminal:open']({ vm: VM, kind: 'shell', name: 'retry', cols: 80, rows: 24 })
    const last = (): StateEvent | undefined => events.states.filter((e) => e.id === s.id).at(-1)
    sends(s.id, 'MARK=kept-$((6*7))\r')

    // While the VM has no address every attempt fails, and the wait before the next one grows to seconds.
    await sim.setFaults(VM, { no_ip: true })
    let waiting: StateEvent | undefined
    let waitingSince = 0
    try {
      await sim.sim(['drop', VM])
      await events.until(() => {
        const e = last()
        if (e?.state !== 'reconnecting' || (e.reconnect?.retryInMs ?? 0) < 4_000) return false
        waiting ??= e
        waitingSince ||= Date.now()
        return true
      }, 'a backoff of seconds', 20_000)
    } finally {
      await sim.setFaults(VM, {})
    }
    const seen = events.states.filter((e) => e.id === s.id && e.state === 'reconnecting')
    // Each attempt is announced twice (waiting, then under way), counted from 1, the wait doubling from 250 ms.
    expect(seen.slice(0, 4).map((e) => e.reconnect)).toEqual([
      { attempt: 1, retryInMs: 250, keepsTyping: true },
      { attempt: 1, retryInMs: null, keepsTyping: true },
      { attempt: 2, retryInMs: 500, keepsTyping: true },
      { attempt: 2, retryInMs: null, keepsTyping: true },
    ])
    const next = waiting!.reconnect!
    expect(next.attempt).toBeGreaterThanOrEqual(5)
    // A window that opens now lists the terminal as the event left it, the wait counted down to this moment.
    const listed = terminals.get(s.id)!
    expect(listed).toMatchObject({ state: 'reconnecting', message: waiting!.message, reconnect: { attempt: next.attempt, keepsTyping: true } })
    expect(listed.reconnect!.retryInMs).toBeGreaterThan(0)
    expect(listed.reconnect!.retryInMs).toBeLessThanOrEqual(next.retryInMs!)
    await new Promise((r) => setTimeout(r, 300))
    expect(terminals.get(s.id)!.reconnect!.retryInMs).toBeLessThanOrEqual(listed.reconnect!.retryInMs! - 300)

    sends(s.id, 'echo "typed-while-$MARK"\r')
    expect(await handlers['terminal:retry']({ id: s.id })).toEqual({ started: true })
    // The attempt is under way: another retry starts nothing (no second attach).
    expect(last()).toMatchObject({ state: 'reconnecting', reconnect: { attempt: next.attempt, retryInMs: null } })
    expect(await handlers['terminal:retry']({ id: s.id })).toEqual({ started: false })

    let connectedAt = 0
    await events.until(() => {
      if (last()?.state !== 'connected') return false
      connectedAt ||= Date.now()
      return true
    }, 'reattached')
    // Without the retry, the attempt would only have started `retryInMs` after the event that announced it.
    expect(connectedAt - waitingSince).toBeLessThan(next.retryInMs! - 1_500)
    expect(await handlers['terminal:retry']({ id: s.id })).toEqual({ started: false })

    // One client on the session (one attach), the same shell, and what was typed meanwhile reached it.
    const clients = async () => (await pool.exec(VM, "tmux list-clients -t '=retry'")).stdout.trim().split('\n').filter(Boolean).length
    await new Promise((r) => setTimeout(r, next.retryInMs!))
    expect(await clients()).toBe(1)
    await expectPane(/^typed-while-kept-42$/m)
    await handlers['terminal:close']({ id: s.id, mode: 'end' })
  })
})

function sends(id: string, data: string): void {
  terminalSends(rig.terminals)['terminal:input']({ id, data })
}

async function expectPane(re: RegExp): Promise<void> {
  let pane = ''
  for (let i = 0; i < 100; i++) {
    pane = (await rig.pool.exec(VM, "tmux capture-pane -p -t '=retry:'")).stdout
    if (re.test(pane)) return
    await new Promise((r) => setTimeout(r, 150))
  }
  expect(pane).toMatch(re)
}
