import { useEffect, useRef, type KeyboardEvent, type WheelEvent } from 'react'
import type { TerminalState } from '../../../shared/terminal'
import { useApp } from '../store/app'
import { activeTab, contextKey, tabsFor, useSessions } from '../store/sessions'
import { useVms } from '../store/vms'
import { closeTerminal, openTerminal } from '../actions'
import { getTerm } from '../terminal/registry'
import { tabKeyIndex } from '../tabKeys'
import { TerminalMount } from './TerminalMount'
import { Icon } from './icons'
import { SessionsMenu } from './SessionsMenu'
import { TabNameField, type RenameEnd } from './TabNameField'
import { defaultTabTitle, stripTitle, tabTitle } from '../store/tabNames'

const STATE_TEXT: Record<TerminalState, string> = { connecting: 'Connecting', connected: 'Connected', reconnecting: 'Reconnecting', closed: 'Closed' }

/** Renaming ended: keep the name (an empty one restores the default title); Enter and Escape give the terminal the keyboard. */
function endRename(id: string, end: RenameEnd): void {
  const store = useSessions.getState()
  store.setRenaming(null)
  if (end.how !== 'escape') store.rename(id, end.name)
  if (end.how !== 'blur') window.setTimeout(() => getTerm(id)?.term.focus(), 0)
}

/**
 * Close a tab from its ×. The button goes with the tab, and focus with it (to <body>, where keys reach nothing, and
 * on Linux a Ctrl+W meant for the shell would close another tab): the terminal now in front gets it, once shown.
 */
async function closeTab(id: string, vm: string | null): Promise<void> {
  if (!(await closeTerminal(id))) return
  const { sessions, activeByContext } = useSessions.getState()
  const next = activeTab(sessions, activeByContext, vm)
  if (!next) return
  window.setTimeout(() => {
    const now = document.activeElement
    if (now === null || now === document.body) getTerm(next.id)?.term.focus()
  }, 0)
}

/** A mouse wheel over the tab strip scrolls it sideways: the strip shows no scroll bar (it pushed the tabs up). */
function scrollSideways(e: WheelEvent<HTMLDivElement>): void {
  if (e.deltaX !== 0 || e.deltaY === 0) return
  e.currentTarget.scrollLeft += e.deltaY
}

/**
 * Terminal tabs. Every session's view stays mounted (hidden when not shown), so switching VMs or views
 * never tears down an xterm or its connection: the tabs survive, with their scrollback.
 */
export function TerminalPane({ visible }: { visible: boolean }) {
  const sessions = useSessions((s) => s.sessions)
  const messages = useSessions((s) => s.messages)
  const activeByContext = useSessions((s) => s.activeByContext)
  const attention = useSessions((s) => s.attention)
  const names = useSessions((s) => s.names)
  const renaming = useSessions((s) => s.renaming)
  const selectedVm = useVms((s) => s.selected)
  const selectedInfo = useVms((s) => s.vms.find((v) => v.name === s.selected) ?? null)
  const context = contextKey(selectedVm)
  const tabs = tabsFor(sessions, selectedVm)
  const active = activeTab(sessions, activeByContext, selectedVm)
  const activeId = active?.id
  const canOpen = selectedInfo?.state === 'running'
  // While the window itself is cut off from the engine (browser host), no open tab is really connected.
  const linkDown = useApp((s) => s.linkDown)
  const shown = (state: TerminalState): TerminalState => (linkDown && state !== 'closed' ? 'reconnecting' : state)
  // The tab in front is always in sight, its close button too: with more tabs than the strip shows, a new tab (⌘T,
  // Host, Sessions) or one chosen with Ctrl+Tab was otherwise left scrolled out of view, and so was the tab in front
  // once the window got narrower.
  const strip = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const list = strip.current
    if (!visible || !activeId || !list) return
    const reveal = () => document.getElementById(`tab-${activeId}`)?.parentElement?.scrollIntoView({ block: 'nearest', inline: 'nearest' })
    reveal()
    const resized = new ResizeObserver(reveal)
    resized.observe(list)
    return () => resized.disconnect()
  }, [activeId, visible])
  // What a connected tab was told (a new tmux session after a VM restart, a keychain that stayed locked) is read in
  // full under the tabs until dismissed; the status beside the tabs only says how the tab is, and stays short.
  const message = active ? (messages[active.id] ?? null) : null
  const connectedNote = active && shown(active.state) === 'connected' ? message : null
  const pillMessage = connectedNote ? null : message
  const onTabKey = (e: KeyboardEvent, index: number) => {
    const tab = tabs[index]
    if (e.key === 'F2' && tab) {
      e.preventDefault()
      useSessions.getState().setRenaming(tab.id)
      return
    }
    const next = tabKeyIndex(e.key, index, tabs.length)
    const target = next === null ? undefined : tabs[next]
    if (!target) return
    e.preventDefault()
    useSessions.getState().activate(context, target.id)
    document.getElementById(`tab-${target.id}`)?.focus()
  }
  return (
    <div className="terminal-pane" hidden={!visible} data-testid="terminal-pane">
      <div className="tabstrip">
        <div ref={strip} role="tablist" aria-label="Terminal tabs" className="tabs" onWheel={scrollSideways}>
          {tabs.map((s, i) => (
            <div key={s.id} className={`tab${s.id === activeId ? ' active' : ''}${renaming === s.id ? ' renaming' : ''}`}>
              <button
                type="button"
                role="tab"
                id={`tab-${s.id}`}
                aria-selected={s.id === activeId}
                aria-controls={`tabpanel-${s.id}`}
                tabIndex={s.id === activeId ? 0 : -1}
                className="tab-button"
                onClick={() => {
                  // A click means "type here": the tab already in front does not change, so no view focuses itself.
                  if (s.id === activeId) getTerm(s.id)?.term.focus()
                  else useSessions.getState().activate(context, s.id)
                }}
                onDoubleClick={() => useSessions.getState().setRenaming(s.id)}
                onKeyDown={(e) => onTabKey(e, i)}
                title={`${tabTitle(s, names)} (double-click to rename)`}
                data-testid="terminal-tab"
                data-kind={s.kind}
                data-state={shown(s.state)}
                data-attention={attention[s.id] ? 'yes' : 'no'}
              >
                <span className={`conn-dot conn-${shown(s.state)}`} aria-hidden="true" />
                {s.kind === 'agent' && <Icon name="agent" size={12} />}
                {s.kind === 'host' && <Icon name="screen" size={12} />}
                <span className="tab-title" data-testid="tab-title" title={tabTitle(s, names)}>
                  {stripTitle(s, names)}
                </span>
                {attention[s.id] && (
                  <span className="tab-bell" title="Rang the bell while you were away">
                    <Icon name="bell" size={12} />
                  </span>
                )}
                <span className="visually-hidden">
                  , {STATE_TEXT[shown(s.state)]}
                  {attention[s.id] ? ', rang the bell' : ''}
                </span>
              </button>
              {renaming === s.id && <TabNameField initial={stripTitle(s, names)} placeholder={defaultTabTitle(s)} onEnd={(end) => endRename(s.id, end)} />}
              <button
                type="button"
                className="tab-close"
                aria-label={`Close ${tabTitle(s, names)}`}
                title={s.tmuxSession ? 'Close the tab: the session keeps running in the VM' : 'Close the tab'}
                onClick={() => void closeTab(s.id, selectedVm)}
              >
                <Icon name="close" size={10} />
              </button>
            </div>
          ))}
        </div>
        <button type="button" className="button small icon-only" aria-label="New shell tab" title="New shell tab" disabled={!canOpen} onClick={() => void openTerminal(selectedVm)} data-testid="new-tab">
          <Icon name="plus" />
        </button>
        <SessionsMenu vm={selectedVm} disabled={!canOpen} />
        <button type="button" className="button small" onClick={() => void openTerminal(null, 'host')} data-testid="host-tab">
          Host
        </button>
        <span className="toolbar-spacer" />
        {active && (
          <span
            className={`conn-status conn-${shown(active.state)}`}
            role="status"
            data-testid="connection-state"
            data-state={shown(active.state)}
            title={`${STATE_TEXT[shown(active.state)]}${pillMessage ? `: ${pillMessage}` : ''}`}
          >
            <span className={`conn-dot conn-${shown(active.state)}`} aria-hidden="true" />
            {STATE_TEXT[shown(active.state)]}
            {pillMessage ? `: ${pillMessage}` : ''}
          </span>
        )}
      </div>
      {active && connectedNote && (
        <div className="callout callout-warning terminal-notice connection-note" role="status" data-testid="connection-note">
          <span>{connectedNote}</span>
          <button type="button" className="button small" onClick={() => {
              useSessions.getState().dismissMessage(active.id)
              // The button goes with the note: the keyboard goes back to the terminal, not to nothing.
              getTerm(active.id)?.term.focus()
            }} data-testid="connection-note-dismiss">
            Dismiss
          </button>
        </div>
      )}
      {active?.notice && (
        <div className="callout callout-warning terminal-notice" role="note">
          {active.notice}
        </div>
      )}
      <div className="terminal-body" data-terminal-body>
        {sessions.map((s) => (
          <div key={s.id} id={`tabpanel-${s.id}`} role="tabpanel" aria-labelledby={`tab-${s.id}`} className="terminal-slot" hidden={!visible || s.id !== activeId}>
            <TerminalMount sessionId={s.id} active={visible && s.id === activeId} />
          </div>
        ))}
        {tabs.length === 0 && (
          <div className="empty small">
            <p>No terminal open{selectedVm ? ` in ${selectedVm}` : ''}.</p>
            <p className="muted">{canOpen ? 'Open a shell, launch the agent, or open the Host tab.' : 'Start the VM to open a shell in it, or open the Host tab.'}</p>
            {canOpen && selectedVm && (
              <button type="button" className="button primary" onClick={() => void openTerminal(selectedVm)}>
                Open a shell in {selectedVm}
              </button>
            )}
          </div>
        )}
      </div>
    </div>
  )
}
