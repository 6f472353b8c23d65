import type { EventName, EventPayload } from '../shared/api'

type Listener<E extends EventName> = (payload: EventPayload<E>) => void

/** Typed fan-out of engine events (VM changes, task progress, terminal bytes) to whoever listens: main, the browser host, the CLI. */
export class EngineEvents {
  private readonly listeners = new Map<EventName, Set<Listener<never>>>()

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(listener as Listener<never>)
    return () => set.delete(listener as Listener<never>)
  }

  /** Every event, for transports that forward all of them (IPC, WebSocket). */
  onAny(listener: <E extends EventName>(event: E, payload: EventPayload<E>) => void): () => void {
    this.anyListeners.add(listener)
    return () => this.anyListeners.delete(listener)
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners.get(event) ?? []) (l as Listener<E>)(payload)
    for (const l of this.anyListeners) l(event, payload)
  }

  private readonly anyListeners = new Set<<E extends EventName>(event: E, payload: EventPayload<E>) => void>()
}
