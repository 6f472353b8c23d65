import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { expect } from 'vitest'
import { CalError } from '../../src/shared/errors'
import type { EventName, EventPayload } from '../../src/shared/api'
import { SshPool, type SshPoolOptions } from '../../src/core/ssh/pool'
import { createTerminalService, type TerminalService } from '../../src/core/terminal/handlers'
import { createSimHost, type SimHost, type SimVm } from '../sim/harness'

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

export interface TerminalRig {
  sim: SimHost
  vm: SimVm
  calHome: string
  pool: SshPool
  terminals: TerminalService
  events: EventLog
  close(): Promise<void>
}

/** One booted sim VM, an SSH pool on it (admin/admin) and a terminal service whose events `events` collects. */
export async function startTerminalRig(name: string, poolOptions: Partial<SshPoolOptions> = {}): Promise<TerminalRig> {
  const calHome = mkdtempSync(join(tmpdir(), `cal-${name}-`))
  const sim = await createSimHost()
  const vm = await sim.bootVm(name)
  const pool = new SshPool({ calHome, resolveTarget: tartResolver(sim), credentials: () => ({ user: 'admin', password: 'admin', unlockKeychain: false }), ...poolOptions })
  const events = new EventLog()
  const terminals = createTerminalService({ pool, emit: events.emit, calHome })
  const close = async () => {
    await terminals.dispose()
    await pool.dispose()
    await sim.cleanup()
    rmSync(calHome, { recursive: true, force: true })
  }
  return { sim, vm, calHome, pool, terminals, events, close }
}
