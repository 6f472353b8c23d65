import { Terminal } from '@xterm/xterm'
import { FitAddon } from '@xterm/addon-fit'
import { SearchAddon } from '@xterm/addon-search'
import { Unicode11Addon } from '@xterm/addon-unicode11'
import { WebLinksAddon } from '@xterm/addon-web-links'
import { SCROLLBACK_LINES, type ReconnectInfo, type TerminalSession, type TerminalState } from '../../../shared/terminal'
import { LIMITS } from '../../../shared/limits'
import { unwrap } from '../api'
import { reportError } from '../report'
import { useSessions } from '../store/sessions'
import { useVms } from '../store/vms'
import { isMacPlatform } from '../hotkeys'
import { clickOpensLink, linkTarget, linkTitle } from './links'
import { terminalSize } from './size'
import { onSystemThemeChange, resolveTheme, type ThemeChoice } from './theme'
import { reconnectView, type ReconnectView } from './reconnect'
import { onWheel, type WheelHooks, type WheelState } from './wheel'
import { pasteText } from './paste'

/**
 * One xterm per terminal session id, kept outside React and outside the store: the instance and its
 * 10,000 lines of scrollback survive tab and VM switches, and bytes go from the event straight into xterm.
 */
export interface TermEntry {
  id: string
  term: Terminal
  fit: FitAddon
  search: SearchAddon
  /** The element xterm is opened into once; TerminalView moves it between containers. */
  host: HTMLDivElement
  opened: boolean
  /** null until main reports a state (a session opened before this view only shows an overlay when told). */
  state: TerminalState | null
  message: string | null
  /** While reconnecting: the attempt and when it starts, as the engine last said (see reconnectView). */
  reconnect: ReconnectView | null
  /** Last size sent to main, so only real changes are sent. */
  sent: { cols: number; rows: number } | null
  listeners: Set<() => void>
  /** Bytes xterm has parsed but main has not been told about yet (sent once per parse slice). */
  parsed: number
  /** On screen: its tab is the one shown (TerminalView keeps this up to date). */
  visible: boolean
  /** The engine was asked to fill it in once it had its size (redrawOnFirstFit). */
  drawn: boolean
  /** A redraw asked for once the size stops changing (redrawAfterResize). */
  resizeRedraw: number | null
  /** A resize's redraw waits for the reader to come back to the bottom (see redrawAfterResize). */
  resizeLeft?: boolean
  /** The line a view reading back showed when output came (see keepReadingAt), and writes since. */
  readingAt?: number
  readingWrites?: number
  /** What a session that ended (the VM restarted) showed, kept above tmux's scrollback in every redraw (see keepEnded). */
  ended?: string
  /** Line feeds in the output since the last check for skipped lines, counted up to the screen's height (see noteBurst). */
  burstLines: number
  /** Ends the burst once the output has been quiet for BURST_QUIET_MS. */
  burstTimer: ReturnType<typeof setTimeout> | null
  /** A check for skipped lines is under way (see redrawAfterBurst). */
  checking: boolean
  /** At the last check: the lines tmux's history held and the lines above this xterm's screen. */
  counted: { history: number; scrollback: number } | null
  /** The last check found this scrollback longer than tmux's history (see linesSkipped). */
  keptLonger?: boolean
  /** Output writes and typed keys so far: the mouse wheel asks tmux again only after either (see wheel.ts). */
  outputs: number
  inputs: number
  wheel?: WheelState
}

const entries = new Map<string, TermEntry>()
/**
 * Sessions whose tab this window closed. Main still sends the output it flushed and a 'closed' state after the
 * detach; those are dropped here rather than building an xterm nobody shows or disposes. Session ids are random
 * UUIDs, never reused, so an id stays released.
 */
const released = new Set<string>()
let themeChoice: ThemeChoice = 'system'
let fontSize = 13
let optionAsMeta = false
let listening = false

declare global {
  interface Window {
    /** Test and benchmark access to the xterm instances, by session id. */
    __calTerms?: { get(id: string): Terminal | undefined; ids(): string[] }
  }
}

const isMac = typeof navigator !== 'undefined' && isMacPlatform(navigator.platform)

/** Where a link in terminal `id` really goes (see linkTarget), or null when CAL does not open it. */
function linkUrl(id: string, uri: string): string | null {
  const vm = useSessions.getState().sessions.find((s) => s.id === id)?.vm ?? null
  const ip = vm ? (useVms.getState().vms.find((v) => v.name === vm)?.ip ?? null) : null
  return linkTarget(uri, ip)
}

/** A web link ⌘-clicked (Ctrl+click elsewhere) in terminal `id` opens in the user's browser (see linkTarget; main
 * applies the scheme allow-list again); a refusal is shown, not lost. */
function openLink(id: string, event: MouseEvent, uri: string): void {
  if (!clickOpensLink(event, isMac)) return
  event.preventDefault()
  const url = linkUrl(id, uri)
  if (!url) return
  unwrap(window.cal.shell.openExternal({ url })).catch((err: unknown) => reportError(err, `Open ${url}`))
}

/** Hovering a link shows where it goes (an OSC 8 link's text can say otherwise) and how to open it. */
function showLinkTitle(e: TermEntry, id: string, uri: string): void {
  e.host.title = linkTitle(linkUrl(id, uri) ?? uri, isMac)
}

export function getTerm(id: string): TermEntry | undefined {
  return entries.get(id)
}

export function getOrCreateTerm(id: string): TermEntry {
  let e = entries.get(id)
  if (e) return e
  // Born at the session's size (or the pane's, for output that arrives before the session is listed), so that what
  // the VM drew for that size is parsed at it, not at xterm's 80x24 and then reflowed.
  const session = useSessions.getState().sessions.find((s) => s.id === id)
  const term = new Terminal({
    ...(session ? { cols: session.cols, rows: session.rows } : terminalSize()),
    scrollback: SCROLLBACK_LINES,
    // A full clear (ED 2) moves the screen into the scrollback, as Terminal.app does: that is how the engine's
    // redraw (redrawOnFirstFit) puts tmux's scrollback above its screen.
    scrollOnEraseInDisplay: true,
    allowProposedApi: true,
    cursorBlink: true,
    fontFamily: 'Menlo, "DejaVu Sans Mono", "Cascadia Mono", Consolas, monospace',
    fontSize,
    macOptionIsMeta: optionAsMeta,
    // When a program takes the mouse (tmux with `mouse on`, vim), Option-drag still selects text on macOS, as
    // Shift-drag does elsewhere.
    macOptionClickForcesSelection: true,
    theme: resolveTheme(themeChoice),
    // OSC 8 hyperlinks (text that links elsewhere, as `ls --hyperlink` prints): opened the same way as web links,
    // instead of xterm's default confirm() and window.open, which would skip linkTarget and main's allow-list. Their
    // text can differ from their target, so hovering one shows where it goes.
    linkHandler: {
      activate: (event, uri) => openLink(id, event, uri),
      hover: (_event, uri) => showLinkTitle(e!, id, uri),
      leave: () => e!.host.removeAttribute('title'),
      allowNonHttpProtocols: false,
    },
  })
  const fit = new FitAddon()
  const search = new SearchAddon()
  term.loadAddon(fit)
  term.loadAddon(search)
  term.loadAddon(
    new WebLinksAddon((event, uri) => openLink(id, event, uri), {
      hover: (_event, uri) => showLinkTitle(e!, id, uri),
      leave: () => e!.host.removeAttribute('title'),
    }),
  )
  term.loadAddon(new Unicode11Addon())
  term.unicode.activeVersion = '11'
  // Keystrokes are one-way messages: no round trip per key.
  term.onData((data) => {
    e!.inputs++
    sendInput(id, data)
  })
  term.onBinary((data) => sendInput(id, data))
  term.onResize(({ cols, rows }) => {
    if (sendSize(e!, cols, rows)) redrawAfterResize(e!)
  })
  // A bell from a tab out of sight marks it (and its VM in the sidebar) until the tab is shown; with CAL's window
  // in the background, main also shows a notification (once in a while per terminal, see NoticeTracker.onBell).
  term.onBell(() => {
    if (!e!.visible) useSessions.getState().setAttention(id, true)
    if (!document.hasFocus()) window.cal.terminal.bell({ id })
  })
  // A burst that ended while someone read back or selected was left unchecked (mayRedraw): check it once they are
  // back at the bottom with nothing selected.
  term.onScroll(() => checkLeftBurst(e!))
  term.onSelectionChange(() => checkLeftBurst(e!))
  const host = document.createElement('div')
  host.style.width = '100%'
  host.style.height = '100%'
  // A session listed before its xterm existed (a reload, a second window) starts in the state the engine listed,
  // with what it said: mid-reconnect, the card shows the attempt at once rather than with the next event.
  e = {
    id,
    term,
    fit,
    search,
    host,
    opened: false,
    state: session?.state ?? null,
    message: session?.message ?? null,
    reconnect: session?.state === 'reconnecting' ? reconnectView(session.reconnect, Date.now()) : null,
    sent: null,
    listeners: new Set(),
    parsed: 0,
    visible: false,
    drawn: false,
    resizeRedraw: null,
    burstLines: 0,
    burstTimer: null,
    checking: false,
    counted: null,
    outputs: 0,
    inputs: 0,
  }
  entries.set(id, e)
  return e
}

/** Open a session's xterm into its element, once (TerminalView, when it first shows it). */
export function openTerm(e: TermEntry): void {
  if (e.opened) return
  e.term.open(e.host)
  e.opened = true
  holdSelectionDuringSync(e.term)
  // Before xterm's own wheel handling (its elements are inside this one): a full-screen program gets the wheel.
  e.host.addEventListener('wheel', (ev) => onWheel(e, ev, wheelHooks(e)), { capture: true, passive: false })
  // Every paste (Ctrl+Shift+V, the Edit menu, the context menu) comes as this event to xterm's textarea: a text with
  // control characters in it is pasted without them (see pasteText), the rest as xterm pastes it.
  e.host.addEventListener('paste', (ev) => pasteClean(e, ev), { capture: true })
}

function pasteClean(e: TermEntry, ev: ClipboardEvent): void {
  const text = ev.clipboardData?.getData('text/plain')
  if (!text) return
  const clean = pasteText(text)
  if (clean === text) return
  ev.preventDefault()
  ev.stopPropagation()
  e.term.paste(clean)
}

function wheelHooks(e: TermEntry): WheelHooks {
  return {
    isTmux: () => {
      const session = useSessions.getState().sessions.find((s) => s.id === e.id)
      return !!session?.tmuxSession && (e.state ?? session.state) === 'connected'
    },
    askFullScreen: async () => {
      const r = await window.cal.terminal.tail({ id: e.id, lines: 0 })
      return r.ok ? r.value.fullScreen : null
    },
    send: (data) => sendInput(e.id, data),
  }
}

/** The part of xterm's internals holdSelectionDuringSync reaches (xterm 6.0's RenderService). */
interface SelectionRedraw {
  handleSelectionChanged(start: [number, number] | undefined, end: [number, number] | undefined, columnSelectMode: boolean): void
}

/**
 * Keep xterm's selection layer from painting in the middle of a synchronized update (DEC 2026, which the engine's
 * redraw is). xterm 6.0 holds its row renders until the update ends, but every scroll also has the selection layer
 * refreshed on the next frame, and its DOM renderer does that by rendering every row at once, whatever the mode: a
 * redraw, which scrolls tmux's history through the xterm and leaves its screen erased until tmux draws it again,
 * showed that erased screen for a frame or more, after every burst, resize and `less` page. The selection's redraw
 * waits for the end of the update (the first render after it) instead. Without those internals (another xterm
 * version), nothing changes.
 */
function holdSelectionDuringSync(term: Terminal): void {
  const render = (term as unknown as { _core?: { _renderService?: Partial<SelectionRedraw> } })._core?._renderService
  if (!render || typeof render.handleSelectionChanged !== 'function') return
  const draw = render.handleSelectionChanged.bind(render)
  let held: Parameters<SelectionRedraw['handleSelectionChanged']> | null = null
  render.handleSelectionChanged = (...args) => {
    held = args
    if (!term.modes.synchronizedOutputMode) release()
  }
  const release = () => {
    if (!held || term.modes.synchronizedOutputMode) return
    const args = held
    held = null
    draw(...args)
  }
  term.onRender(release)
  term.onWriteParsed(release)
}

/** Characters per input message: a big paste goes in several, each well within what one message may carry. */
export const INPUT_CHUNK = 65_536

/**
 * Keystrokes and pastes to main as one-way messages, a large paste in INPUT_CHUNK pieces (never between the two
 * halves of a character outside the BMP): in one message, a paste of a few hundred thousand non-ASCII characters
 * was more than the browser host's socket or Electron's check on input accepts, and was lost.
 */
function sendInput(id: string, data: string): void {
  for (let i = 0; i < data.length; ) {
    let end = Math.min(data.length, i + INPUT_CHUNK)
    const last = data.charCodeAt(end - 1)
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end -= 1
    window.cal.terminal.input({ id, data: data.slice(i, end) })
    i = end
  }
}

/**
 * Once a new xterm is laid out at its size (sent before this), ask the engine for its scrollback and screen (see
 * TerminalRedraw): what reached it before was drawn for a size it may not have, and a window that found the
 * session open has nothing at all.
 */
export function redrawOnFirstFit(e: TermEntry): void {
  if (e.drawn) return
  e.drawn = true
  requestRedraw(e)
}

/** Ask the engine to redraw this xterm (see TerminalRedraw). */
function requestRedraw(e: TermEntry): void {
  // The redraw replaces the scrollback: the next check starts counting afresh.
  e.counted = null
  e.resizeLeft = false
  // What this window kept of a session that ended goes to the engine once, which puts it in every window's redraws.
  window.cal.terminal.redraw({ id: e.id, ...(e.ended ? { lead: e.ended } : {}) })
  e.ended = undefined
}

/** Lines and characters per line of an ended session's output a tab keeps (its scrollback's own bound). */
const KEPT_LINES = SCROLLBACK_LINES
const KEPT_WIDTH = 1000

/**
 * The tab now shows a new tmux session in place of one that ended with the VM: tmux has none of the old one's output,
 * so a redraw (after a resize, a burst, a new window) replaced it with nothing. The tab keeps it as plain text, every
 * line up to the cursor (the new session has drawn nothing yet: its output comes after this state), with a line that
 * says where it ends, and gives it to the engine with a redraw; the engine puts it above tmux's scrollback in every
 * redraw from then on, for every window.
 */
function keepEnded(e: TermEntry): void {
  const buf = e.term.buffer.normal
  const last = buf.baseY + buf.cursorY
  const lines: string[] = []
  for (let i = 0; i <= last; i++) {
    const line = buf.getLine(i)
    if (!line) continue
    const text = line.translateToString(true)
    if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text
    else lines.push(text)
  }
  while (lines.length > 0 && lines.at(-1) === '') lines.pop()
  if (lines.length === 0) return
  lines.push('[CAL] The VM restarted: the session above ended with it.')
  const kept = `${lines.slice(-KEPT_LINES).map((l) => l.slice(0, KEPT_WIDTH)).join('\r\n')}\r\n`
  // Its last lines within what a redraw may carry.
  e.ended = kept.length <= LIMITS.endedSession ? kept : kept.slice(kept.indexOf('\r\n', kept.length - LIMITS.endedSession) + 2)
  // To the engine at once, with a redraw: a window that opens the tab before this one's next redraw gets it too.
  if (e.drawn) requestRedraw(e)
}

/**
 * What a tab says of a session that closed while the window could not hear it (see redrawAfterBreak): it ended, or
 * another window detached it (its tmux session then still runs, and Sessions lists it).
 */
export const ENDED_MEANWHILE = 'It closed while this window was disconnected.'

/**
 * After the window's link to the engine came back (see 'app:link'): output sent meanwhile never arrived, so every
 * xterm already filled in is redrawn by the engine; the others will be on their first fit. A session that ended
 * meanwhile says so.
 */
export function redrawAfterBreak(open: TerminalSession[]): void {
  const byId = new Map(open.map((s) => [s.id, s]))
  for (const e of [...entries.values()]) {
    if (released.has(e.id)) continue
    const s = byId.get(e.id)
    if (!s) {
      if (e.state !== 'closed') setTermState(e.id, 'closed', ENDED_MEANWHILE)
      continue
    }
    if (e.state !== s.state || s.state === 'reconnecting') setTermState(e.id, s.state, s.message ?? null, s.reconnect ?? null)
    if (e.drawn) requestRedraw(e)
  }
}

/** Sends a real size change to main; true when it did. */
function sendSize(e: TermEntry, cols: number, rows: number): boolean {
  if (cols < 2 || rows < 2) return false
  if (e.sent && e.sent.cols === cols && e.sent.rows === rows) return false
  e.sent = { cols, rows }
  window.cal.terminal.resize({ id: e.id, cols, rows })
  return true
}

/** How long the size must stay put before a tmux tab is redrawn (a window being dragged changes it every frame). */
export const RESIZE_REDRAW_MS = 400

/**
 * After a tmux tab changed size, have the engine redraw it (scrollback and screen, see TerminalRedraw) once the size
 * settles. xterm reflows its screen locally while tmux redraws the same screen at the new size on top of it: lines
 * that the reflow pushed up stay behind, so without this every step of a window resize left copies of the screen's
 * lines (the command line, its output) in the scrollback. tmux reflows its own history, which the redraw brings back.
 * A terminal not yet drawn gets its first redraw anyway (redrawOnFirstFit); one without tmux redraws nothing.
 */
function redrawAfterResize(e: TermEntry): void {
  if (!e.drawn) return
  const session = useSessions.getState().sessions.find((s) => s.id === e.id)
  if (!session?.tmuxSession) return
  if (e.resizeRedraw !== null) window.clearTimeout(e.resizeRedraw)
  e.resizeRedraw = window.setTimeout(() => {
    e.resizeRedraw = null
    if (entries.get(e.id) !== e) return
    // The redraw replaces the scrollback, which put someone reading back (or selecting) at its first line: it waits
    // until they are back at the bottom (checkLeftBurst), as a burst's check does.
    if (mayRedraw(e)) return requestRedraw(e)
    keepReadingPosition(e.term)
    e.resizeLeft = true
  }, RESIZE_REDRAW_MS)
}

/**
 * xterm 6 leaves its scroll area's position stale after a resize while scrolled up (xtermjs/xterm.js#6172): the
 * wheel then stopped short of the bottom, and the public scroll calls move relative to that stale position. Its
 * viewport's own scrollToLine sets the position outright, to the line the view shows (private API: without it, the
 * wheel stays short until the next output or key).
 */
function keepReadingPosition(term: Terminal): void {
  const core = (term as unknown as { _core?: { _viewport?: { scrollToLine?: (line: number, immediate?: boolean) => void } } })._core
  core?._viewport?.scrollToLine?.(term.buffer.active.viewportY, true)
}

/** How long output must pause to end a burst (see redrawAfterBurst). */
export const BURST_QUIET_MS = 300

/**
 * Output faster than tmux can draw (`cat` of a log, a build) makes tmux skip ahead: it draws the latest screen and
 * drops the lines in between, which a local terminal would have scrolled into its scrollback. tmux's own history
 * keeps every line. So once a burst that scrolled more than a screen goes quiet, the page asks tmux for the last
 * screenful of its history (a few KB) and how long that history is: tmux skipped lines when they differ from the
 * lines above this xterm's screen, or when its history grew more than this scrollback since the last check (a gap in
 * the middle of a long burst), or when a few lines from deeper in it differ from the lines as far up this scrollback
 * (a gap shifts every line above it: this is what still sees one once both are full, 10,000 lines each, and neither
 * grows). Then the engine redraws the tab from its history (as after a resize), in one synchronized update.
 * A full-screen program (vim, less, top) or tmux's copy mode is never a reason: they page and repaint, they skip
 * nothing. Only a tmux tab at the bottom with nothing selected: someone reading back or selecting is not moved. The
 * redraw's own output is a burst too, and its check finds the lines equal. Counting stops at the screen's height,
 * so a flood costs one search per message at most, through the native indexOf.
 */
function noteBurst(e: TermEntry, data: Uint8Array): void {
  for (let i = data.indexOf(10); i !== -1 && !worthChecking(e); i = data.indexOf(10, i + 1)) e.burstLines++
  if (e.burstTimer !== null) clearTimeout(e.burstTimer)
  e.burstTimer = setTimeout(() => redrawAfterBurst(e), BURST_QUIET_MS)
}

/**
 * Enough line feeds since the last check to look: half a screen. A clear (Ctrl+L) is one: tmux wipes its screen line by
 * line, moving down with a line feed each, and puts what was on it in its history, while xterm's scrollback never got
 * those lines (the redraw brings them). More output than a screen is too, as above.
 */
function worthChecking(e: TermEntry): boolean {
  return e.burstLines > e.term.rows / 2
}

function redrawAfterBurst(e: TermEntry): void {
  e.burstTimer = null
  // Not yet a screen's worth since the last check, a check under way, or someone reading back: the lines stay counted.
  if (!worthChecking(e) || e.checking || !mayRedraw(e)) return
  e.checking = true
  e.burstLines = 0
  void linesSkipped(e)
    .then((skipped) => {
      // Output came meanwhile (tmux's last redraw of a skip has few line feeds): check again once it is quiet.
      if (e.burstTimer !== null) e.burstLines = e.term.rows + 1
      else if (skipped && mayRedraw(e)) requestRedraw(e)
    })
    .catch(() => undefined)
    .finally(() => (e.checking = false))
}

/** A burst left unchecked, or a resize's redraw left waiting, while the tab could not be redrawn: done once it can. */
function checkLeftBurst(e: TermEntry): void {
  if (e.resizeLeft && e.resizeRedraw === null && mayRedraw(e)) return requestRedraw(e)
  // xterm reports a scroll per line during a flood, while the burst timer runs: that test first, and nothing else then.
  if (e.burstTimer !== null || e.checking || !worthChecking(e) || !mayRedraw(e)) return
  e.burstTimer = setTimeout(() => redrawAfterBurst(e), BURST_QUIET_MS)
}

/** A drawn tmux tab, still open here, at the bottom of its scrollback with nothing selected. */
function mayRedraw(e: TermEntry): boolean {
  if (!e.drawn || entries.get(e.id) !== e) return false
  if (!useSessions.getState().sessions.find((s) => s.id === e.id)?.tmuxSession) return false
  const buf = e.term.buffer.active
  return buf.type === 'normal' && buf.viewportY === buf.baseY && !e.term.hasSelection()
}

/** Whether tmux kept lines this xterm's scrollback lacks (see noteBurst). */
async function linesSkipped(e: TermEntry): Promise<boolean> {
  const scrollback = e.term.buffer.active.baseY
  const n = Math.max(1, Math.min(e.term.rows, scrollback))
  const depths = sampleDepths(scrollback, n)
  const r = await window.cal.terminal.tail({ id: e.id, lines: n, depths })
  if (!r.ok) return false
  const now = e.term.buffer.active
  // Output that came while tmux answered moved this scrollback on, so the two no longer line up: check again once quiet.
  if (now.baseY !== scrollback) {
    e.burstLines = e.term.rows + 1
    e.burstTimer ??= setTimeout(() => redrawAfterBurst(e), BURST_QUIET_MS)
    return false
  }
  const before = e.counted
  e.counted = { history: r.value.historySize, scrollback: now.baseY }
  // tmux's rows are its pane's width: a pane narrower or wider than this xterm (another client sized it) wraps lines
  // elsewhere, so rows would differ for ever, and each redraw would ask for the next.
  if (r.value.fullScreen || (r.value.width !== null && r.value.width !== e.term.cols)) return false
  const grewLess = before !== null && now.baseY - before.scrollback < r.value.historySize - before.history
  // tmux emptied its history (`clear` sends ED 3, which tmux does not pass on; `tmux clear-history`) while this
  // scrollback kept its lines. Only well below the limit: tmux trims a full history by a tenth at a time, where a full
  // scrollback trims line by line. Not above a restart's kept output, which tmux never had.
  // Once per occurrence: should the redraw leave this scrollback longer still (tmux's pane taller than this tab, sized
  // by another client), the next check does not ask again until the two have been found in step.
  const longer = !r.value.lead && r.value.historySize < Math.min(now.baseY, SCROLLBACK_LINES * 0.9)
  const kept = longer && !e.keptLonger
  e.keptLonger = longer
  const line = (depth: number) => now.getLine(now.baseY - depth)?.translateToString(true) ?? ''
  const theirs = r.value.lines.slice(-n).map((l) => l.trimEnd())
  const mine: string[] = []
  for (let d = theirs.length; d >= 1; d--) mine.push(line(d))
  const shifted = depths.some((d, i) => {
    const sample = r.value.samples[i]
    return sample != null && line(d) !== sample.trimEnd()
  })
  return grewLess || kept || shifted || mine.join('\n') !== theirs.join('\n')
}

/** Depths (lines above the screen) compared beyond the last `tail` lines: the oldest this scrollback has, and two between. */
function sampleDepths(scrollback: number, tail: number): number[] {
  return [...new Set([scrollback, Math.ceil(scrollback / 2), Math.ceil(scrollback / 4)])].filter((d) => d > tail)
}

/**
 * Output goes straight into xterm as the UTF-8 bytes main sent (xterm decodes them itself), one write per
 * message: xterm queues writes and parses them in time-sliced batches between frames, so joining them here
 * would only copy. An idle terminal parses at once after a keystroke (xterm's own fast path), so an echo is not
 * delayed. Parsed bytes are acknowledged once per parse slice rather than per message (xterm runs the callbacks
 * of one slice back to back; the microtask runs after the slice), which is what lets main release back-pressure.
 */
function writeData(e: TermEntry, data: Uint8Array): void {
  e.outputs++
  noteBurst(e, data)
  const bytes = data.length
  const buf = e.term.buffer.active
  // Read back from here: a redraw another window asked for (its output is every window's) must not move this view.
  if (e.readingAt === undefined && buf.type === 'normal' && buf.viewportY < buf.baseY && clearsScrollback(data)) e.readingAt = buf.viewportY
  e.term.write(data, () => {
    if (e.readingAt !== undefined) keepReadingAt(e)
    if (e.parsed === 0) queueMicrotask(() => sendAck(e))
    e.parsed += bytes
  })
}

/**
 * A redraw replaces the scrollback (ED 3, then tmux's history, maybe over several writes), which left a view that was
 * reading back at the scrollback's first line: once the history is back as far as that line, the view goes back to
 * it (a write that held only the ED 3 leaves an empty scrollback: it waits for the next). A view the reader moved
 * meanwhile (not at the first line), or that followed the output down, is theirs.
 */
function keepReadingAt(e: TermEntry): void {
  const buf = e.term.buffer.active
  const y = e.readingAt!
  // A redraw comes in at most a few writes (its history, split by the batcher): a view still at the first line after
  // that stays there, rather than be pulled down later by output that happens to make the scrollback that long.
  e.readingWrites = (e.readingWrites ?? 0) + 1
  if (buf.viewportY !== 0 || e.readingWrites > READING_WRITES) e.readingAt = undefined
  else if (buf.baseY >= y) {
    e.readingAt = undefined
    e.term.scrollToLine(y)
  }
  if (e.readingAt === undefined) e.readingWrites = 0
}

/** Writes a redraw may take to bring the history back as far as the line a view was reading (see keepReadingAt). */
const READING_WRITES = 32

/** Whether `data` holds ED 3 (ESC [ 3 J), which a redraw starts with: found by its rarer last byte. */
function clearsScrollback(data: Uint8Array): boolean {
  for (let i = data.indexOf(0x4a, 3); i !== -1; i = data.indexOf(0x4a, i + 1)) {
    if (data[i - 1] === 0x33 && data[i - 2] === 0x5b && data[i - 3] === 27) return true
  }
  return false
}

function sendAck(e: TermEntry): void {
  const bytes = e.parsed
  e.parsed = 0
  if (bytes > 0) window.cal.terminal.ack({ id: e.id, bytes })
}

/** TerminalView says whether this session's tab is the one on screen; showing it clears a bell mark and applies a
 * font size chosen meanwhile. */
export function setTermVisible(e: TermEntry, visible: boolean): void {
  e.visible = visible
  if (!visible) return
  useSessions.getState().setAttention(e.id, false)
  applyFontSize(e)
}

/** Empty a terminal's scrollback in this window (ED 3), leaving its screen as it is. */
export function clearTermScrollback(id: string): void {
  const e = entries.get(id)
  if (!e) return
  // tmux's history is cleared with it: the next check for skipped lines starts counting afresh.
  e.counted = null
  e.ended = undefined
  e.term.write('\x1b[3J')
}

/** Release a session's xterm (its tab was closed); what main still sends for it is ignored from now on. */
export function disposeTerm(id: string): void {
  released.add(id)
  const e = entries.get(id)
  if (!e) return
  entries.delete(id)
  if (e.resizeRedraw !== null) window.clearTimeout(e.resizeRedraw)
  if (e.burstTimer !== null) clearTimeout(e.burstTimer)
  e.term.dispose()
  e.host.remove()
}

/** This window closed the session's tab: its late events are not for anything on screen (see `released`). */
export function isTermReleased(id: string): boolean {
  return released.has(id)
}

export function setTermState(id: string, state: TerminalState, message: string | null, reconnect: ReconnectInfo | null = null): void {
  const e = getOrCreateTerm(id)
  e.state = state
  e.message = message
  e.reconnect = state === 'reconnecting' ? reconnectView(reconnect, Date.now()) : null
  for (const l of e.listeners) l()
}

/**
 * Settings → Terminal font size, for every terminal. The one on screen changes and refits at once; hidden ones
 * change when shown (setTermVisible), since xterm measures its characters wrong while its element is hidden.
 */
export function setTerminalFontSize(size: number): void {
  if (size === fontSize) return
  fontSize = size
  for (const e of entries.values()) if (e.visible) applyFontSize(e)
}

/** Settings → Option key as Meta, for every terminal (no layout involved, so hidden ones change at once too). */
export function setTerminalOptionAsMeta(on: boolean): void {
  optionAsMeta = on
  for (const e of entries.values()) e.term.options.macOptionIsMeta = on
}

/** Apply the chosen font size if it is not yet, once the terminal is laid out (xterm measures a character then). */
export function applyFontSize(e: TermEntry): void {
  if (e.term.options.fontSize === fontSize || e.host.clientWidth === 0 || e.host.clientHeight === 0) return
  e.term.options.fontSize = fontSize
  const dims = e.opened ? e.fit.proposeDimensions() : undefined
  if (dims && Number.isFinite(dims.cols) && Number.isFinite(dims.rows) && (dims.cols !== e.term.cols || dims.rows !== e.term.rows)) e.fit.fit()
}

const themeListeners = new Set<() => void>()

/** Follow the app's theme setting ('system' tracks the OS light/dark switch). */
export function setTerminalTheme(choice: ThemeChoice): void {
  themeChoice = choice
  for (const e of entries.values()) e.term.options.theme = resolveTheme(choice)
  for (const l of themeListeners) l()
}

/** Called after the terminals changed theme (the find bar redraws its highlights in the new colours). */
export function onTerminalThemeChange(listener: () => void): () => void {
  themeListeners.add(listener)
  return () => themeListeners.delete(listener)
}

/**
 * Subscribe once to terminal events. Output is written straight into xterm; the acknowledgement is sent when
 * xterm has parsed it, which is what lets main hold back a flood. Call before opening terminals so the
 * first screen is not missed (TerminalView calls it too).
 */
export function ensureTerminalListeners(): void {
  if (listening || typeof window === 'undefined' || !window.cal) return
  listening = true
  window.cal.on('terminal:data', ({ id, data }) => {
    if (!released.has(id)) writeData(getOrCreateTerm(id), data)
  })
  window.cal.on('terminal:state', ({ id, state, message, reconnect, sessionEnded }) => {
    if (released.has(id)) return
    if (sessionEnded) keepEnded(getOrCreateTerm(id))
    setTermState(id, state, message, reconnect)
  })
  onSystemThemeChange(() => setTerminalTheme(themeChoice))
}

if (typeof window !== 'undefined') {
  window.__calTerms = { get: (id) => entries.get(id)?.term, ids: () => [...entries.keys()] }
  ensureTerminalListeners()
}
