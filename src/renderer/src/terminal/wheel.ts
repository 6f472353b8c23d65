import type { Terminal } from '@xterm/xterm'

/**
 * The mouse wheel over a full-screen program (less, vim, man, top, an agent's full-screen UI) or tmux's copy mode
 * scrolls that program, as a local terminal's "alternate scroll" does: it sends Up or Down once per line. CAL has
 * tmux draw on xterm's normal screen (see TMUX_SETUP), so xterm never learns that a program took the screen, and
 * its wheel scrolled the shell's earlier output instead. Over the shell and its output, the wheel scrolls xterm's
 * scrollback as before.
 *
 * Only tmux knows which it is, so the page asks it (the terminal's tail, with no lines) when it cannot know: when
 * output came or a key was typed since it last asked. Neither means nothing changed: a program takes or leaves the
 * screen by drawing. At a shell prompt that is the usual case, and the wheel is xterm's at once. Otherwise the page
 * holds the wheel's events until tmux answers (an SSH exec: about 50 ms on the simulated host), then sends the keys
 * or gives the events back to xterm. A program's answer to the wheel's own keys is output too, so while the wheel
 * keeps turning (each turn within KEEP_MS of the last) and nothing was typed, a full-screen program is taken to still
 * be there: asking again would hold every turn for an exec. Not while the view is scrolled up (the reader is in
 * xterm's scrollback), nor when the program asked for mouse events itself (xterm sends the wheel to it).
 */
export interface WheelState {
  /** What tmux last said, and the output and input counts when the page asked. */
  known: { fullScreen: boolean; outputs: number; inputs: number } | null
  /** When the wheel last turned over a full-screen program (performance.now()). */
  turned: number
  /** Lines (and parts of one) turned since the last flush, up negative; and the events held meanwhile. */
  pending: number
  held: WheelEvent[]
  asking: boolean
}

export interface WheelTarget {
  term: Terminal
  /** Output writes so far (see writeData), and keys typed (xterm's onData). */
  outputs: number
  inputs: number
  wheel?: WheelState
}

export interface WheelHooks {
  /** Whether the tab is a connected tmux session (the wheel is xterm's otherwise). */
  isTmux(): boolean
  /** tmux's answer: whether a full-screen program or its copy mode has the pane; null when it could not say. */
  askFullScreen(): Promise<boolean | null>
  send(data: string): void
}

/** Events this module gave back to xterm (see flush): not taken again. */
const givenBack = new WeakSet<Event>()

/** A listener for the terminal's element, in the capture phase (before xterm's own): takes the wheel when it must. */
export function onWheel(t: WheelTarget, ev: WheelEvent, hooks: WheelHooks): void {
  if (givenBack.has(ev) || ev.deltaY === 0 || ev.ctrlKey || !applies(t.term) || !hooks.isTmux()) return
  const w = (t.wheel ??= { known: null, turned: 0, pending: 0, held: [], asking: false })
  const now = performance.now()
  const k = w.known
  const current = k !== null && k.inputs === t.inputs && (k.outputs === t.outputs || (k.fullScreen && now - w.turned < KEEP_MS))
  if (current && !k.fullScreen && !w.asking) return
  ev.preventDefault()
  ev.stopPropagation()
  w.pending += wheelLines(t.term, ev)
  w.held.push(ev)
  if (current && !w.asking) {
    w.turned = now
    return flush(t, w, hooks)
  }
  if (w.asking) return
  w.asking = true
  const { outputs, inputs } = t
  void hooks
    .askFullScreen()
    .catch(() => null)
    .then((fullScreen) => {
      w.asking = false
      w.known = fullScreen === null ? null : { fullScreen, outputs, inputs }
      w.turned = performance.now()
      flush(t, w, hooks)
    })
}

/** How soon the next turn of the wheel must come for a full-screen program to be taken to still be there. */
export const KEEP_MS = 1000

/** A tab at the bottom of its normal screen, with no program taking the mouse. */
function applies(term: Terminal): boolean {
  const buf = term.buffer.active
  return buf.type === 'normal' && buf.viewportY === buf.baseY && term.modes.mouseTrackingMode === 'none'
}

/**
 * Sends the whole lines pending as keys to a full-screen program (the part of a line waits for the next turn), or
 * gives the events held back to xterm, which scrolls its scrollback by them as if they had just come.
 */
function flush(t: WheelTarget, w: WheelState, hooks: WheelHooks): void {
  const held = w.held
  w.held = []
  if (!w.known?.fullScreen || !applies(t.term)) {
    w.pending = 0
    for (const ev of held) giveBack(ev)
    return
  }
  const lines = Math.trunc(w.pending)
  if (lines === 0) return
  w.pending -= lines
  const key = `\x1b${t.term.modes.applicationCursorKeysMode ? 'O' : '['}${lines < 0 ? 'A' : 'B'}`
  hooks.send(key.repeat(Math.min(Math.abs(lines), t.term.rows)))
}

/**
 * The same event again, for xterm. Chromium still gives wheel events the old wheelDelta, which xterm's scrolling
 * reads first: a constructed event's defaults to the delta itself, the opposite way, so the original's goes with it.
 */
function giveBack(ev: WheelEvent): void {
  const old = ev as WheelEvent & { wheelDeltaX?: number; wheelDeltaY?: number }
  const again = new WheelEvent('wheel', {
    ...(old.wheelDeltaY !== undefined ? { wheelDeltaX: old.wheelDeltaX, wheelDeltaY: old.wheelDeltaY } : {}),
    deltaX: ev.deltaX,
    deltaY: ev.deltaY,
    deltaMode: ev.deltaMode,
    clientX: ev.clientX,
    clientY: ev.clientY,
    screenX: ev.screenX,
    screenY: ev.screenY,
    altKey: ev.altKey,
    shiftKey: ev.shiftKey,
    metaKey: ev.metaKey,
    bubbles: true,
    cancelable: true,
  })
  givenBack.add(again)
  ev.target?.dispatchEvent(again)
}

/**
 * The lines a wheel event turns: a line per 40 pixels (three for a mouse's notch, as local terminals send), or the
 * lines or pages it says.
 */
export function wheelLines(term: Terminal, ev: Pick<WheelEvent, 'deltaY' | 'deltaMode'>): number {
  const sensitivity = term.options.scrollSensitivity ?? 1
  if (ev.deltaMode === 1) return ev.deltaY * sensitivity
  if (ev.deltaMode === 2) return ev.deltaY * term.rows * sensitivity
  return (ev.deltaY / 40) * sensitivity
}
