import '@xterm/xterm/css/xterm.css'
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { applyFontSize, ensureTerminalListeners, getOrCreateTerm, openTerm, redrawOnFirstFit, setTermVisible, type TermEntry } from './registry'
import { useApp } from '../store/app'
import { controlCharKey, macEditingKey } from './keys'
import { TerminalSearch } from './TerminalSearch'
import { TerminalStatus } from './TerminalStatus'
import { retryTerminal, startTabVm } from '../actions'

export interface TerminalViewProps {
  sessionId: string
  /** The visible tab: it gets fitted and focused. Hidden views keep their xterm and scrollback. */
  active: boolean
}

const isMac = typeof navigator !== 'undefined' && /Mac/i.test(navigator.platform)
const RESIZE_THROTTLE_MS = 50

/**
 * Copy/paste with Ctrl+Shift+C/V off macOS (Cmd+C/V reach xterm through the Edit menu); search with Cmd+F / Ctrl+Shift+F;
 * ⌘←, ⌘→ and ⌘⌫ on macOS (macEditingKey); Ctrl+/, Ctrl+2 (and Ctrl+- on macOS), which xterm.js sends nothing for (controlCharKey).
 */
function keyHandler(entry: TermEntry, openSearch: () => void) {
  return (ev: KeyboardEvent): boolean => {
    if (ev.type !== 'keydown') return true
    const editing = (isMac ? macEditingKey(ev) : null) ?? controlCharKey(ev, isMac)
    if (editing) {
      // Not the browser's own meaning either (⌘← is "Back" in a browser showing the browser host).
      ev.preventDefault()
      entry.term.input(editing, true)
      return false
    }
    const mod = isMac ? ev.metaKey : ev.ctrlKey && ev.shiftKey
    const key = ev.key.toLowerCase()
    if (mod && key === 'f') {
      // Not the browser's find bar as well (in the browser host).
      ev.preventDefault()
      openSearch()
      return false
    }
    if (!isMac && ev.ctrlKey && ev.shiftKey && key === 'c') {
      // Nor the browser's own use of the key.
      ev.preventDefault()
      const sel = entry.term.getSelection()
      if (sel) void navigator.clipboard?.writeText(sel)
      return false
    }
    if (!isMac && ev.ctrlKey && ev.shiftKey && key === 'v') {
      // Not ^V to the shell, but the key's default action is left alone: Chromium pastes (as plain text) into
      // xterm's textarea, whose paste handler sends it, bracketed when the program asked for that. Reading the
      // clipboard here as well pasted twice, and Electron refuses the page clipboard reads anyway.
      return false
    }
    return true
  }
}

/**
 * Whether the user's last input was a key rather than a click: an element the keyboard focused keeps matching
 * :focus-visible when it is then clicked (a row of the Workspaces list), and a click means "show me that terminal".
 */
let lastInputKey = false
if (typeof window !== 'undefined') {
  window.addEventListener('keydown', () => (lastInputKey = true), { capture: true })
  window.addEventListener('pointerdown', () => (lastInputKey = false), { capture: true })
}

/**
 * Whether the keyboard put focus somewhere outside the terminals: arrowing down the Workspaces list or along the tab
 * strip shows another tab, and the next arrow key must still go there, not to the shell. A click, a hotkey typed in
 * a terminal, or focus on nothing leaves the tab shown free to take it.
 */
function keyboardFocusElsewhere(): boolean {
  const el = document.activeElement
  return lastInputKey && el !== null && el !== document.body && el.matches(':focus-visible') && !el.closest('.cal-terminal')
}

function useEntryState(entry: TermEntry) {
  const subscribe = useCallback(
    (cb: () => void) => {
      entry.listeners.add(cb)
      return () => entry.listeners.delete(cb)
    },
    [entry],
  )
  const state = useSyncExternalStore(subscribe, () => entry.state)
  const message = useSyncExternalStore(subscribe, () => entry.message)
  const reconnect = useSyncExternalStore(subscribe, () => entry.reconnect)
  // The window itself lost the engine (browser host): nothing typed here reaches the VM until it is back.
  const linkDown = useApp((s) => s.linkDown) && state !== 'closed'
  return { state, message, reconnect, linkDown }
}

/** An xterm attached to one terminal session; mount it anywhere, as often as you like. */
export function TerminalView({ sessionId, active }: TerminalViewProps) {
  const container = useRef<HTMLDivElement>(null)
  const [entry] = useState(() => {
    ensureTerminalListeners()
    return getOrCreateTerm(sessionId)
  })
  const { state, message, reconnect, linkDown } = useEntryState(entry)
  // Each ⌘F bumps this: it opens the find bar, or focuses (and selects) its field when it is already open.
  const [searchRequest, setSearchRequest] = useState(0)

  // Attach the long-lived xterm element to this container; fit it on every real size change (throttled).
  useEffect(() => {
    const el = container.current
    if (!el) return
    el.appendChild(entry.host)
    openTerm(entry)
    entry.term.attachCustomKeyEventHandler(keyHandler(entry, () => setSearchRequest((n) => n + 1)))
    let timer: number | null = null
    const fit = () => {
      timer = null
      if (el.clientWidth === 0 || el.clientHeight === 0) return
      applyFontSize(entry)
      const dims = entry.fit.proposeDimensions()
      if (!dims || !Number.isFinite(dims.cols) || !Number.isFinite(dims.rows)) return
      if (dims.cols !== entry.term.cols || dims.rows !== entry.term.rows) entry.fit.fit()
      redrawOnFirstFit(entry)
    }
    const observer = new ResizeObserver(() => {
      if (timer === null) timer = window.setTimeout(fit, RESIZE_THROTTLE_MS)
    })
    observer.observe(el)
    fit()
    return () => {
      observer.disconnect()
      if (timer !== null) window.clearTimeout(timer)
      // Keep the xterm (and its scrollback) alive: just take it out of this container.
      if (entry.host.parentElement === el) el.removeChild(entry.host)
    }
  }, [entry])

  useEffect(() => {
    setTermVisible(entry, active)
    return () => setTermVisible(entry, false)
  }, [active, entry])

  // A tab that mounts in front was just opened (⌘T, New tab, Sessions): it takes focus whatever had it.
  const opening = useRef(active)
  useEffect(() => {
    if (!active) return
    const id = window.setTimeout(() => {
      const dims = entry.fit.proposeDimensions()
      if (dims && (dims.cols !== entry.term.cols || dims.rows !== entry.term.rows)) entry.fit.fit()
      if (opening.current || !keyboardFocusElsewhere()) entry.term.focus()
      opening.current = false
    }, 0)
    return () => window.clearTimeout(id)
  }, [active, entry])

  // "Retry now" had the keyboard: once the banner goes (connected), the terminal gets it back, not <body>.
  const statusFocused = useRef(false)
  const showsStatus = linkDown || state === 'reconnecting' || state === 'connecting' || state === 'closed'
  useEffect(() => {
    if (showsStatus || !statusFocused.current) return
    statusFocused.current = false
    if (document.activeElement === null || document.activeElement === document.body) entry.term.focus()
  }, [showsStatus, entry])

  return (
    <div className="cal-terminal" data-testid={`terminal-${sessionId}`} data-state={state ?? 'unknown'} style={{ position: 'relative', width: '100%', height: '100%', overflow: 'hidden' }}>
      {/* Before the xterm in the page's order, so Tab reaches "Retry now" on the way in (xterm keeps Tab once focused). */}
      <div className="terminal-status-slot" onFocus={() => (statusFocused.current = true)} onBlur={(e) => {
          // Focus moving on, not the button leaving the page with the banner.
          if (e.relatedTarget) statusFocused.current = false
        }}>
        <TerminalStatus state={state} message={message} linkDown={linkDown} reconnect={reconnect} onRetry={() => void retryTerminal(sessionId)} onStartVm={() => void startTabVm(sessionId)} />
      </div>
      <div ref={container} style={{ position: 'absolute', inset: 0 }} />
      {searchRequest > 0 && <TerminalSearch entry={entry} focusRequest={searchRequest} onClose={() => setSearchRequest(0)} />}
    </div>
  )
}

let standalone: { root: Root; el: HTMLDivElement } | null = null

/**
 * Test and benchmark hook: show one session's TerminalView over the whole window, independent of the app's
 * own layout (e2e tests open a session through window.cal and mount it here). Harmless in production.
 */
export function mountStandaloneTerminal(sessionId: string | null): void {
  standalone?.root.unmount()
  standalone?.el.remove()
  standalone = null
  if (!sessionId) return
  const el = document.createElement('div')
  el.style.cssText = 'position:fixed;inset:0;z-index:10000;background:#000'
  el.dataset.testid = 'terminal-standalone'
  document.body.appendChild(el)
  const root = createRoot(el)
  root.render(<TerminalView sessionId={sessionId} active />)
  standalone = { root, el }
}

declare global {
  interface Window {
    __calMountTerminal?: (sessionId: string | null) => void
  }
}

if (typeof window !== 'undefined') window.__calMountTerminal = mountStandaloneTerminal
