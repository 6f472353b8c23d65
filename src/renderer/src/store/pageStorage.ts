import { z } from 'zod'

/** Strings the page keeps in its storage for its terminal sessions (tab names, notes read), by session id or tmux session (see nameKey). */
export const BySession = (max: number) => z.record(z.string().max(200), z.string().max(max))
export type BySession = Record<string, string>

/**
 * Read from the page's storage: the tabs are the engine's and outlive the page (a reload or a new window shows them
 * again), so what the user did to them must too. Storage that fails or holds junk gives none.
 */
export function loadBySession(key: string, schema: z.ZodType<BySession>): BySession {
  try {
    const parsed = schema.safeParse(JSON.parse(globalThis.localStorage?.getItem(key) ?? '{}'))
    return parsed.success ? parsed.data : {}
  } catch {
    return {}
  }
}

export function saveBySession(key: string, value: BySession): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value))
  } catch {
    // Full or disabled storage: it lasts as long as the page.
  }
}

/** Only the entries of sessions that are still there (session ids are never reused); the same object when none went. */
export function forSessions(value: BySession, sessions: readonly { id: string }[]): BySession {
  const ids = new Set(sessions.map((s) => s.id))
  const kept = Object.entries(value).filter(([id]) => ids.has(id))
  return kept.length === Object.keys(value).length ? value : Object.fromEntries(kept)
}
