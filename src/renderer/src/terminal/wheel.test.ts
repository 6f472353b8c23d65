import { beforeAll, describe, expect, it } from 'vitest'
import type { Terminal } from '@xterm/xterm'
import { KEEP_MS, onWheel, wheelLines, type WheelHooks, type WheelTarget } from './wheel'

// The wheel's decisions under Node (no DOM): the terminal and the events are plain stand-ins. The e2e suite
// (terminal.spec.ts) runs the real thing: less in a simulated VM, Chromium's wheel events, xterm's own scrolling.

class FakeWheelEvent {
  defaultPrevented = false
  constructor(
    readonly type: string,
    readonly init: Record<string, unknown>,
  ) {}
}
beforeAll(() => {
  ;(globalThis as Record<string, unknown>).WheelEvent = FakeWheelEvent
})

interface Sent {
  given: FakeWheelEvent[]
  taken: boolean
}

function wheelEvent(deltaY: number, sent: Sent, extra: Partial<WheelEvent> = {}): WheelEvent {
  return {
    deltaX: 0,
    deltaY,
    deltaMode: 0,
    ctrlKey: false,
    target: { dispatchEvent: (ev: FakeWheelEvent) => sent.given.push(ev) },
    preventDefault: () => (sent.taken = true),
    stopPropagation: () => undefined,
    ...extra,
  } as unknown as WheelEvent
}

function target(over: { viewportY?: number; mouse?: string; appCursor?: boolean } = {}): WheelTarget {
  const term = {
    rows: 24,
    options: {},
    buffer: { active: { type: 'normal', baseY: 100, viewportY: over.viewportY ?? 100 } },
    modes: { mouseTrackingMode: over.mouse ?? 'none', applicationCursorKeysMode: over.appCursor ?? false },
  }
  return { term: term as unknown as Terminal, outputs: 1, inputs: 0 }
}

function hooks(answer: boolean | null) {
  const keys: string[] = []
  let asks = 0
  let answerNow: () => void = () => undefined
  const h: WheelHooks = {
    isTmux: () => true,
    askFullScreen: () => {
      asks++
      return new Promise((resolve) => (answerNow = () => resolve(answer)))
    },
    send: (data) => keys.push(data),
  }
  return { h, keys, asks: () => asks, answer: async () => { answerNow(); await new Promise((r) => setTimeout(r)) } }
}

describe('the mouse wheel over a tmux tab', () => {
  it('sends three Up keys for a notch to a full-screen program, and Down the other way', async () => {
    const t = target()
    const k = hooks(true)
    const sent: Sent = { given: [], taken: false }
    onWheel(t, wheelEvent(-120, sent), k.h)
    expect(sent.taken).toBe(true)
    await k.answer()
    expect(k.keys).toEqual(['\x1b[A\x1b[A\x1b[A'])
    // No output since: tmux is not asked again.
    onWheel(t, wheelEvent(120, sent), k.h)
    expect(k.asks()).toBe(1)
    expect(k.keys.at(-1)).toBe('\x1b[B\x1b[B\x1b[B')
    expect(sent.given).toEqual([])
  })

  it('takes a full-screen program to still be there while the wheel turns, until a key is typed or it rests', async () => {
    const t = target()
    const k = hooks(true)
    const sent: Sent = { given: [], taken: false }
    onWheel(t, wheelEvent(-120, sent), k.h)
    await k.answer()
    // The program redrew for those keys: output, but the wheel still turns.
    t.outputs++
    onWheel(t, wheelEvent(-120, sent), k.h)
    expect(k.asks()).toBe(1)
    expect(k.keys).toHaveLength(2)
    // A key typed (q, to leave less): asked again before any key is sent.
    t.inputs++
    onWheel(t, wheelEvent(-120, sent), k.h)
    expect(k.asks()).toBe(2)
    expect(k.keys).toHaveLength(2)
    await k.answer()
    expect(k.keys).toHaveLength(3)
    // The wheel rested longer than KEEP_MS, and output came: asked again.
    t.wheel!.turned -= KEEP_MS + 1
    t.outputs++
    onWheel(t, wheelEvent(-120, sent), k.h)
    expect(k.asks()).toBe(3)
  })

  it('sends the application-mode keys when the program set that mode, and no more than a screen at once', async () => {
    const t = target({ appCursor: true })
    const k = hooks(true)
    onWheel(t, wheelEvent(-10_000, { given: [], taken: false }), k.h)
    await k.answer()
    expect(k.keys).toEqual(['\x1bOA'.repeat(24)])
  })

  it('asks once for the events that come while tmux answers, then gives them all back to xterm at a prompt', async () => {
    const t = target()
    const k = hooks(false)
    const sent: Sent = { given: [], taken: false }
    onWheel(t, wheelEvent(-40, sent), k.h)
    onWheel(t, wheelEvent(-40, sent), k.h)
    expect(k.asks()).toBe(1)
    await k.answer()
    expect(sent.given.map((e) => e.init.deltaY)).toEqual([-40, -40])
    expect(k.keys).toEqual([])
    // Known, with no output since: the next one is xterm's from the start.
    const next: Sent = { given: [], taken: false }
    onWheel(t, wheelEvent(-40, next), k.h)
    expect(next.taken).toBe(false)
    // Output came: tmux is asked again.
    t.outputs++
    onWheel(t, wheelEvent(-40, next), k.h)
    expect(next.taken).toBe(true)
    expect(k.asks()).toBe(2)
  })

  it('gives the wheel back when tmux cannot say', async () => {
    const t = target()
    const k = hooks(null)
    const sent: Sent = { given: [], taken: false }
    onWheel(t, wheelEvent(-120, sent), k.h)
    await k.answer()
    expect(sent.given).toHaveLength(1)
    expect(k.keys).toEqual([])
  })

  it('leaves the wheel to xterm while the view reads back, when a program takes the mouse, or with Ctrl', () => {
    const k = hooks(true)
    for (const [t, extra] of [
      [target({ viewportY: 50 }), {}],
      [target({ mouse: 'vt200' }), {}],
      [target(), { ctrlKey: true }],
    ] as const) {
      const sent: Sent = { given: [], taken: false }
      onWheel(t, wheelEvent(-120, sent, extra), k.h)
      expect(sent.taken).toBe(false)
    }
    expect(k.asks()).toBe(0)
  })

  it('counts a line per 40 pixels, or the lines or pages an event says', () => {
    const term = target().term
    expect(wheelLines(term, { deltaY: 120, deltaMode: 0 })).toBe(3)
    expect(wheelLines(term, { deltaY: -2, deltaMode: 1 })).toBe(-2)
    expect(wheelLines(term, { deltaY: 1, deltaMode: 2 })).toBe(24)
  })
})
