import { create } from 'zustand'
import type { TerminalSession, TerminalState } from '../../../shared/terminal'
import { BySession, forSessions, loadBySession, saveBySession } from './pageStorage'
import { loadTabNames, nameKey, namesFor, saveTabNames, tmuxNameKey, withTabName, type TabNames } from './tabNames'

/** Notes the user dismissed, by session id, with the text dismissed: a reload lists them again (see dismissMessage). */
const DISMISSED_KEY = 'cal.dismissedNotes'
const Dismissed = BySession(4000)

/** `message` unless the user dismissed that very text for session `id`. */
function unlessDismissed(dismissed: BySession, id: string, message: string | null): string | null {
  return message !== null && dismissed[id] === message ? null : message
}

/** `dismissed` for `sessions` only, saved when that changed it. */
function keptDismissed(dismissed: BySession, sessions: readonly TerminalSession[]): BySession {
  const kept = forSessions(dismissed, sessions)
  if (kept !== dismissed) saveBySession(DISMISSED_KEY, kept)
  return kept
}

/** The context key when no VM is selected. */
export const HOST_KEY = '(host)'

type SessionStore = {
  /** Metadata only: terminal bytes go straight into xterm, never here. */
  sessions: TerminalSession[]
  messages: Record<string, string | null>
  /** The active tab per selected VM (or HOST_KEY), so switching VMs and back finds the same tab. */
  activeByContext: Record<string, string>
  /** Sessions that rang the bell while out of sight (an agent waiting for an answer does); cleared when shown. */
  attention: Record<string, true>
  /** Names the user gave tabs (the page's own: neither the VM nor tmux hears of them), by nameKey. */
  names: TabNames
  /** The tab whose title is an inline text field right now, or null. */
  renaming: string | null
  /** Name a tab; an empty name gives it its default title back. */
  rename: (id: string, name: string) => void
  /** A tmux session was ended: a new one of that name later is not the one named. */
  forgetName: (vm: string, tmuxSession: string) => void
  setRenaming: (id: string | null) => void
  setAttention: (id: string, on: boolean) => void
  add: (session: TerminalSession, context: string) => void
  setAll: (sessions: TerminalSession[]) => void
  setState: (id: string, state: TerminalState, message: string | null) => void
  /** The user has read this tab's message: it goes until the engine says something new, in a reload too. */
  dismissMessage: (id: string) => void
  dismissed: BySession
  remove: (id: string) => void
  activate: (context: string, id: string) => void
}

export function contextKey(vm: string | null): string {
  return vm ?? HOST_KEY
}

/** A VM's tab strip: its own sessions, then the Host tabs, which every VM shows. */
export function tabsFor(sessions: TerminalSession[], vm: string | null): TerminalSession[] {
  const own = vm ? sessions.filter((s) => s.vm === vm) : []
  return [...own.filter((s) => s.kind === 'agent'), ...own.filter((s) => s.kind !== 'agent'), ...sessions.filter((s) => s.vm === null)]
}

export const useSessions = create<SessionStore>((set) => ({
  sessions: [],
  messages: {},
  activeByContext: {},
  attention: {},
  names: loadTabNames(),
  dismissed: loadBySession(DISMISSED_KEY, Dismissed),
  renaming: null,
  rename: (id, name) =>
    set((s) => {
      const session = s.sessions.find((x) => x.id === id)
      const names = withTabName(s.names, session ? nameKey(session) : id, name)
      saveTabNames(names)
      return { names }
    }),
  forgetName: (vm, tmuxSession) =>
    set((s) => {
      const key = tmuxNameKey(vm, tmuxSession)
      if (s.names[key] === undefined) return s
      const { [key]: _gone, ...names } = s.names
      saveTabNames(names)
      return { names }
    }),
  setRenaming: (renaming) => set({ renaming }),
  setAttention: (id, on) =>
    set((s) => {
      if (Boolean(s.attention[id]) === on) return s
      const attention = { ...s.attention }
      if (on) attention[id] = true
      else delete attention[id]
      return { attention }
    }),
  add: (session, context) =>
    set((s) => ({
      sessions: [...s.sessions.filter((x) => x.id !== session.id), session],
      activeByContext: { ...s.activeByContext, [context]: session.id },
    })),
  setAll: (sessions) =>
    set((s) => {
      const names = namesFor(s.names, sessions)
      if (names !== s.names) saveTabNames(names)
      // The engine's list says what each state says (a reload mid-reconnect shows why at once), but for what was dismissed.
      const dismissed = keptDismissed(s.dismissed, sessions)
      const listed = Object.fromEntries(sessions.filter((x) => x.message !== undefined).map((x) => [x.id, unlessDismissed(dismissed, x.id, x.message ?? null)]))
      return { sessions, names, dismissed, messages: { ...s.messages, ...listed } }
    }),
  setState: (id, state, message) =>
    set((s) => ({
      sessions: s.sessions.map((x) => (x.id === id ? { ...x, state } : x)),
      messages: { ...s.messages, [id]: unlessDismissed(s.dismissed, id, message) },
    })),
  dismissMessage: (id) =>
    set((s) => {
      const message = s.messages[id]
      if (!message) return s
      const dismissed = { ...s.dismissed, [id]: message }
      saveBySession(DISMISSED_KEY, dismissed)
      return { messages: { ...s.messages, [id]: null }, dismissed }
    }),
  remove: (id) =>
    set((s) => {
      const sessions = s.sessions.filter((x) => x.id !== id)
      const activeByContext: Record<string, string> = {}
      for (const [context, active] of Object.entries(s.activeByContext)) {
        if (active !== id) {
          activeByContext[context] = active
          continue
        }
        const next = tabsFor(sessions, context === HOST_KEY ? null : context).at(-1)
        if (next) activeByContext[context] = next.id
      }
      const { [id]: _gone, ...attention } = s.attention
      const { [id]: _message, ...messages } = s.messages
      const names = namesFor(s.names, sessions)
      if (names !== s.names) saveTabNames(names)
      const dismissed = keptDismissed(s.dismissed, sessions)
      return { sessions, messages, activeByContext, attention, names, dismissed, renaming: s.renaming === id ? null : s.renaming }
    }),
  activate: (context, id) => set((s) => ({ activeByContext: { ...s.activeByContext, [context]: id } })),
}))

/**
 * A VM's tmux session as people know it in this window: the name its tab was given, with tmux's own after it
 * ("build (shell-2)"), whether a tab shows it now or not; tmux's name alone for a session nobody named.
 */
export function sessionLabel(names: TabNames, vm: string, tmuxSession: string): string {
  const name = names[tmuxNameKey(vm, tmuxSession)]
  return name ? `${name} (${tmuxSession})` : tmuxSession
}

/** sessionLabel with the store as it is now, for what is said once (a sheet's lines, a palette entry). */
export function sessionLabelNow(vm: string, tmuxSession: string): string {
  return sessionLabel(useSessions.getState().names, vm, tmuxSession)
}

/** A VM's tmux sessions with their names as this window knows them (sessionLabel): for the program lines a sheet shows. */
export function withTabLabels<T extends { name: string }>(vm: string, list: readonly T[]): T[] {
  return list.map((s) => ({ ...s, name: sessionLabelNow(vm, s.name) }))
}

/** The tab a VM's terminal view shows: the one last activated there, else its first. */
export function activeTab(sessions: TerminalSession[], activeByContext: Record<string, string>, vm: string | null): TerminalSession | null {
  const tabs = tabsFor(sessions, vm)
  const chosen = activeByContext[contextKey(vm)]
  return tabs.find((t) => t.id === chosen) ?? tabs[0] ?? null
}

export function useActiveTab(vm: string | null): TerminalSession | null {
  return useSessions((s) => activeTab(s.sessions, s.activeByContext, vm))
}
