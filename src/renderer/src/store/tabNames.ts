import type { TerminalSession } from '../../../shared/terminal'
import { BySession, loadBySession, saveBySession } from './pageStorage'

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

/**
 * The key a tab's name is kept under: a VM's tmux session by its name, so that a tab reattached to it later, and the
 * Sessions list while it runs detached, have the name too (it was lost when the tab closed); any other tab by its id.
 */
export function nameKey(s: Pick<TerminalSession, 'id' | 'vm' | 'tmuxSession'>): string {
  return s.vm && s.tmuxSession ? tmuxNameKey(s.vm, s.tmuxSession) : s.id
}

/** See nameKey (":" is in no VM or tmux session name). */
export function tmuxNameKey(vm: string, tmuxSession: string): string {
  return `tmux:${vm}:${tmuxSession}`
}

/** The title a tab shows: the name this window's user gave it, else the default one. */
export function tabTitle(s: TerminalSession, names: TabNames): string {
  return names[nameKey(s)] ?? defaultTabTitle(s)
}

/**
 * The title as the VM's own tab strip shows it: without the VM's name in front ("shell-1", not "cal-dev: shell-1"),
 * which the view already says; in a narrow window every tab read "cal-dev:…".
 */
export function stripTitle(s: TerminalSession, names: TabNames): string {
  const given = names[nameKey(s)]
  if (given) return given
  const title = defaultTabTitle(s)
  const prefix = s.vm ? `${s.vm}: ` : ''
  return prefix && title.startsWith(prefix) && title.length > prefix.length ? title.slice(prefix.length) : title
}

/**
 * `names` with `key` (see nameKey) called `name`, last: trimmed, cut to TAB_NAME_MAX; an empty name gives the default
 * title back.
 */
export function withTabName(names: TabNames, key: string, name: string): TabNames {
  const { [key]: _old, ...rest } = names
  const clean = name.replace(/\s+/g, ' ').trim().slice(0, TAB_NAME_MAX).trim()
  return clean ? { ...rest, [key]: clean } : rest
}

/** How many names of tmux sessions are kept: the latest named (a session that ended by itself leaves its name). */
export const TMUX_NAMES_KEPT = 200

/**
 * The names still wanted: a tab's by id while it is there (ids are never reused), a tmux session's until it is ended
 * from CAL (forgetName) or TMUX_NAMES_KEPT later ones were given. A name kept by id from before tmux sessions had
 * theirs moves to its session. The same object when nothing changed.
 */
export function namesFor(names: TabNames, sessions: TerminalSession[]): TabNames {
  const byId = new Map(sessions.map((s) => [s.id, s]))
  const tmux = Object.keys(names).filter((k) => k.startsWith('tmux:'))
  const dropped = new Set(tmux.slice(0, Math.max(0, tmux.length - TMUX_NAMES_KEPT)))
  const kept: TabNames = {}
  for (const [key, name] of Object.entries(names)) {
    const tab = byId.get(key)
    // A session's own name wins over one moving to it from its tab's id.
    if (key.startsWith('tmux:')) {
      if (!dropped.has(key)) kept[key] = name
    } else if (tab) kept[nameKey(tab)] ??= name
  }
  const same = Object.keys(kept).length === Object.keys(names).length && Object.entries(kept).every(([k, v]) => names[k] === v)
  return same ? names : kept
}

/** Names live in the page's storage, keyed by session id (see loadBySession). */
export function loadTabNames(): TabNames {
  return loadBySession(STORAGE_KEY, TabNames)
}

export function saveTabNames(names: TabNames): void {
  saveBySession(STORAGE_KEY, names)
}
