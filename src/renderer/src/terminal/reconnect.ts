import type { ReconnectInfo } from '../../../shared/terminal'

/** A reconnecting terminal as the page keeps it: the next attempt's start as a time on this page's clock. */
export interface ReconnectView {
  attempt: number
  /** When the attempt starts (Date.now() time), or null while it is under way. */
  retryAt: number | null
  keepsTyping: boolean
  /** The last attempt found the VM stopped: starting it is what brings the session back. */
  vmStopped: boolean
}

/** The engine's word (a delay from when it sent it) as a deadline on the page's clock, received at `now`. */
export function reconnectView(info: ReconnectInfo | null | undefined, now: number): ReconnectView | null {
  if (!info) return null
  return { attempt: info.attempt, retryAt: info.retryInMs === null ? null : now + info.retryInMs, keepsTyping: info.keepsTyping, vmStopped: info.vmStopped ?? false }
}

/** "Attempt 3 · next try in 4 s", counting down in whole seconds (never 0 before it starts), or "trying now". */
export function attemptText(r: ReconnectView, now: number): string {
  if (r.retryAt === null) return `Attempt ${r.attempt} · trying now…`
  const seconds = Math.max(1, Math.ceil((r.retryAt - now) / 1000))
  return `Attempt ${r.attempt} · next try in ${seconds} s`
}

/** Said only when true: the engine keeps keystrokes for a tmux session and sends them once it is back. */
export const TYPING_KEPT = 'What you type is kept and sent once the session is back.'
