import { execa } from 'execa'
import { expect } from 'vitest'
import { CalError } from '../../src/shared/errors'
import type { EventName, EventPayload } from '../../src/shared/api'
import type { SimHost } from '../sim/harness'

/** Resolve a sim VM's address the way the engine does: `tart ip NAME`. */
export function tartResolver(sim: SimHost) {
  return async (vm: string) => {
    const r = await execa(sim.tartPath, ['ip', vm], { env: sim.env, reject: false })
    if (r.exitCode !== 0) throw new Error(`tart ip ${vm}: ${r.stderr}`)
    return { host: String(r.stdout).trim(), port: 22 }
  }
}

/** Collects terminal events and lets a test wait for text on the screen stream or a state. */
export class EventLog {
  readonly data = new Map<string, string>()
  readonly states: EventPayload<'terminal:state'>[] = []
  readonly bells: EventPayload<'terminal:bell'>[] = []
  private waiters = new Set<() => void>()

  emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    if (event === 'terminal:data') {
      const p = payload as EventPayload<'terminal:data'>
      // Each message ends on a character boundary, so it decodes on its own.
      this.data.set(p.id, (this.data.get(p.id) ?? '') + Buffer.from(p.data).toString('utf8'))
    } else if (event === 'terminal:state') {
      this.states.push(payload as EventPayload<'terminal:state'>)
    } else if (event === 'terminal:bell') {
      this.bells.push(payload as EventPayload<'terminal:bell'>)
    }
    for (const w of this.waiters) w()
  }

  text(id: string): string {
    return this.data.get(id) ?? ''
  }

  /** Resolves once `check()` is true, re-checked on every event and every 100 ms. */
  until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        if (!check()) return
        cleanup()
        resolve()
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`timed out waiting for ${what}`))
      }, timeoutMs)
      const poll = setInterval(done, 100)
      const cleanup = () => {
        clearTimeout(timer)
        clearInterval(poll)
        this.waiters.delete(done)
      }
      this.waiters.add(done)
      done()
    })
  }
}

/** The CalError a promise rejects with (the test fails if it resolves or rejects with something else). */
export async function rejection(p: Promise<unknown>): Promise<CalError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(CalError)
  return err as CalError
}
