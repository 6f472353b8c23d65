import { useEffect, useRef, useState } from 'react'
import type { VmTmuxSession } from '../../../shared/terminal'
import { cal, unwrap } from '../api'
import { useLoad } from '../hooks/useLoad'
import { openTerminal } from '../actions'
import { relativeTime } from '../format'
import { contextKey, sessionLabel, useSessions } from '../store/sessions'
import { useUi } from '../store/ui'
import { Icon } from './icons'
import { appHintOf } from '../../../shared/errors'

/**
 * The VM's tmux sessions, from the tab strip: closing a tab only detaches, so this is where a detached shell or
 * agent is reattached, and where a session is ended for good (after a confirmation sheet).
 */
export function SessionsMenu({ vm, disabled }: { vm: string | null; disabled: boolean }) {
  const [open, setOpen] = useState(false)
  // Loaded afresh each time it opens: sessions come and go in the VM.
  const { value: list, error, loading } = useLoad(open && vm ? vm : null, () => unwrap(cal().terminal.sessions({ name: vm! })))
  const names = useSessions((s) => s.names)
  const box = useRef<HTMLSpanElement>(null)
  const button = useRef<HTMLButtonElement>(null)
  const panel = useRef<HTMLDivElement>(null)

  // The keyboard follows the popover: into its first button once the list is there, back to "Sessions" on Escape.
  useEffect(() => {
    if (open && !loading) panel.current?.querySelector<HTMLButtonElement>('button')?.focus()
  }, [open, loading])

  useEffect(() => {
    if (!open) return
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false)
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return
      setOpen(false)
      button.current?.focus()
    }
    document.addEventListener('mousedown', onDown)
    document.addEventListener('keydown', onKey)
    return () => {
      document.removeEventListener('mousedown', onDown)
      document.removeEventListener('keydown', onKey)
    }
  }, [open])

  const show = (s: VmTmuxSession) => {
    setOpen(false)
    if (s.openId) useSessions.getState().activate(contextKey(vm), s.openId)
    else void openTerminal(vm, s.kind, s.name)
  }
  const end = (s: VmTmuxSession) => {
    // The sheet gives focus back to what had it when it opened: "Sessions", not this row's End… button, which goes
    // with the popover (focus would then land on <body>, where keys reach nothing).
    button.current?.focus()
    setOpen(false)
    if (vm) useUi.getState().openDialog({ kind: 'end-session', vm, name: s.name })
  }

  return (
    <span
      className="sessions-menu"
      ref={box}
      // Tabbing out of the popover closes it, as a click outside does: left open, it would cover the terminal the
      // keyboard went to, and its Escape handler would take that terminal's Escape.
      onBlur={(e) => {
        if (open && e.relatedTarget instanceof Node && !box.current?.contains(e.relatedTarget)) setOpen(false)
      }}
    >
      <button
        ref={button}
        type="button"
        className="button small"
        aria-haspopup="dialog"
        aria-expanded={open}
        disabled={disabled || !vm}
        onClick={() => setOpen(!open)}
        title="Sessions running in the VM: reattach or end them"
        data-testid="sessions-button"
      >
        Sessions
        <Icon name="down" size={10} />
      </button>
      {open && vm && (
        <div ref={panel} className="sessions-panel" role="dialog" aria-label={`Sessions in ${vm}`} data-testid="sessions-panel">
          <div className="sessions-title">tmux sessions in {vm}</div>
          {loading && <p className="muted sessions-note">Looking…</p>}
          {error && (
            <p className="sessions-note" role="alert">
              {error.message} {appHintOf(error)}
            </p>
          )}
          {list?.length === 0 && <p className="muted sessions-note">No tmux sessions are running in {vm}.</p>}
          {list && list.length > 0 && (
            <ul className="plain-list">
              {list.map((s) => (
                <li key={s.name} className="session-row" data-testid="session-row" data-name={s.name} data-open={s.openId ? 'yes' : 'no'}>
                  <Icon name={s.kind === 'agent' ? 'agent' : 'terminal'} size={12} />
                  <span className="session-text">
                    <span className="session-name">{sessionLabel(names, vm!, s.name)}</span>
                    <span className="muted session-meta" data-testid="session-meta">
                      {s.openId ? 'open in a tab' : 'detached'}
                      {s.command ? ` · running ${s.command}` : ''}
                      {s.createdAt ? ` · started ${relativeTime(s.createdAt)}` : ''}
                    </span>
                  </span>
                  <button type="button" className="button small" onClick={() => show(s)} data-testid="session-show" aria-label={`${s.openId ? 'Show' : 'Reattach'} ${s.name}`}>
                    {s.openId ? 'Show' : 'Reattach'}
                  </button>
                  <button type="button" className="button small destructive-text" onClick={() => end(s)} data-testid="session-end" aria-label={`End ${s.name}…`}>
                    End…
                  </button>
                </li>
              ))}
            </ul>
          )}
          <p className="muted sessions-note">Closing a tab detaches it: the session keeps running in the VM.</p>
        </div>
      )}
    </span>
  )
}
