import type { TerminalSession } from '../../../shared/terminal'
import { BySession, forSessions, loadBySession, saveBySession } from './pageStorage'

/** The longest name a tab may be given (the strip shows far less; the tooltip and the palette the rest). */
export const TAB_NAME_MAX = 60
const STORAGE_KEY = 'cal.tabNames'
const TabNames = BySession(TAB_NAME_MAX)
export type TabNames = BySession

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
  return forSessions(names, sessions)
}

/** Names live in the page's storage, keyed by session id (see loadBySession). */
export function loadTabNames(): TabNames {
  return loadBySession(STORAGE_KEY, TabNames)
}

export function saveTabNames(names: TabNames): void {
  saveBySession(STORAGE_KEY, names)
}
