import { z } from 'zod'
import type { TerminalSession } from '../../../shared/terminal'

/** The longest name a tab may be given (the strip shows far less; the tooltip and the palette the rest). */
export const TAB_NAME_MAX = 60
const STORAGE_KEY = 'cal.tabNames'
const TabNames = z.record(z.string().max(200), z.string().max(TAB_NAME_MAX))
export type TabNames = z.infer<typeof TabNames>

/** A tab's title as the engine names it ("dev: shell-1"), for tabs nobody renamed. */
export function defaultTabTitle(s: TerminalSession): string {
  if (s.kind === 'host') return s.title || 'Host'
  if (s.kind === 'agent') return s.title || 'Agent'
  return s.title || s.tmuxSession || 'Shell'
}

/** The title a tab shows: the name this window's user gave it, else the default one. */
export function tabTitle(s: TerminalSession, names: TabNames): string {
  return names[s.id] ?? defaultTabTitle(s)
}

/**
 * The title as the VM's own tab strip shows it: without the VM's name in front ("shell-1", not "cal-dev: shell-1"),
 * which the view already says; in a narrow window every tab read "cal-dev:…".
 */
export function stripTitle(s: TerminalSession, names: TabNames): string {
  const given = names[s.id]
  if (given) return given
  const title = defaultTabTitle(s)
  const prefix = s.vm ? `${s.vm}: ` : ''
  return prefix && title.startsWith(prefix) && title.length > prefix.length ? title.slice(prefix.length) : title
}

/** `names` with tab `id` called `name`: trimmed, cut to TAB_NAME_MAX; an empty name gives the default title back. */
export function withTabName(names: TabNames, id: string, name: string): TabNames {
  const { [id]: _old, ...rest } = names
  const clean = name.replace(/\s+/g, ' ').trim().slice(0, TAB_NAME_MAX).trim()
  return clean ? { ...rest, [id]: clean } : rest
}

/** Only the names of tabs that are still there (session ids are never reused, so a name never outlives its tab). */
export function namesFor(names: TabNames, sessions: TerminalSession[]): TabNames {
  const ids = new Set(sessions.map((s) => s.id))
  const kept = Object.entries(names).filter(([id]) => ids.has(id))
  return kept.length === Object.keys(names).length ? names : Object.fromEntries(kept)
}

/**
 * Names live in the page's storage, keyed by session id: the tabs themselves are the engine's and outlive the page
 * (a reload or a new window shows them again), so their names must too. Storage that fails or holds junk gives none.
 */
export function loadTabNames(): TabNames {
  try {
    const parsed = TabNames.safeParse(JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? '{}'))
    return parsed.success ? parsed.data : {}
  } catch {
    return {}
  }
}

export function saveTabNames(names: TabNames): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(names))
  } catch {
    // Full or disabled storage: the names last as long as the page.
  }
}
