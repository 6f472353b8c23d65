import type { EventName } from '../shared/api'

/** The part of a webContents the outbox needs (so it is tested without Electron). */
export interface EventSink {
  send(channel: string, payload: unknown): void
  isDestroyed(): boolean
}

/** Events where only the newest value matters: a queue keeps one of each instead of every update. */
const LATEST_ONLY: ReadonlySet<EventName> = new Set(['vms:changed', 'settings:changed'])
const MAX_QUEUED = 10_000

/**
 * Delivers engine events to one window. Until the page has loaded (and after a reload starts) events are queued,
 * so nothing sent while the renderer was not listening is lost; then they flush in order.
 */
export class EventOutbox {
  private queue: { event: EventName; payload: unknown }[] = []
  private ready = false
  private dropped = 0

  constructor(
    private readonly sink: EventSink,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  push(event: EventName, payload: unknown): void {
    if (this.sink.isDestroyed()) return
    if (this.ready) {
      this.sink.send(event, payload)
      return
    }
    if (LATEST_ONLY.has(event)) this.queue = this.queue.filter((q) => q.event !== event)
    this.queue.push({ event, payload })
    if (this.queue.length > MAX_QUEUED) {
      this.queue.shift()
      if (this.dropped++ === 0) this.log(`window not ready: dropping the oldest queued events (more than ${MAX_QUEUED})`)
    }
  }

  /** The page finished loading: send what was queued, then deliver directly. */
  markReady(): void {
    this.ready = true
    this.dropped = 0
    const queued = this.queue
    this.queue = []
    for (const { event, payload } of queued) if (!this.sink.isDestroyed()) this.sink.send(event, payload)
  }

  /** The page is (re)loading: queue again until it is ready. */
  markNotReady(): void {
    this.ready = false
  }

  get queued(): number {
    return this.queue.length
  }
}
