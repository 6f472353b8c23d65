import type { BarePage } from './cdp'
import type { PageWindow } from './page-types'

export const DONE_TITLE = 'cal-bench-done'
/** Printed after the payload: xterm reports the title change once it has parsed everything before it. */
export const DONE_MARK = `printf '\\033]2;${DONE_TITLE}\\007'`

export interface FloodResult {
  /** UTF-8 bytes xterm received. */
  bytes: number
  ms: number
  /** Frames xterm rendered meanwhile (its public onRender event); none for the transport alone. */
  frames: number
}

/** Mount the session full-window; resolves once its xterm exists and has the expected size. */
export async function mount(page: BarePage, id: string): Promise<void> {
  await page.evaluate((sid) => (globalThis as unknown as PageWindow).__calMountTerminal(sid), id)
  await page.waitForFunction((sid) => !!(globalThis as unknown as PageWindow).__calTerms.get(sid), id)
}

/** Unmount and dispose these sessions' xterms in the page. */
export async function release(page: BarePage, ids: string[]): Promise<void> {
  await page.evaluate(async (list) => {
    const w = globalThis as unknown as PageWindow
    w.__calMountTerminal(null)
    // Let a closed session's last state event land first: it would otherwise create a fresh entry for its id.
    await new Promise((r) => setTimeout(r, 100))
    for (const id of list) w.__calDisposeTerm(id)
  }, ids)
}

/**
 * Send one Enter to a session that waits for it (`read _; payload; done-mark`) and time, in the page, from the
 * first output byte after it to xterm having parsed the done mark. Keeps the chunks for the ceiling replay.
 */
export function timeFlood(page: BarePage, id: string, keep: boolean): Promise<FloodResult> {
  return page.evaluate(
    ({ sid, keep, title }) =>
      new Promise<FloodResult>((resolve) => {
        const w = globalThis as unknown as PageWindow
        const term = w.__calTerms.get(sid)!
        const chunks: Uint8Array[] = []
        let t0 = 0
        let bytes = 0
        let armed = false
        let frames = 0
        const rendered = term.onRender(() => frames++)
        // The registry writes each message's bytes into xterm as they are; the ceiling replays exactly these.
        const off = w.cal.on('terminal:data', ({ id, data }) => {
          if (id !== sid || !armed) return
          if (!t0) t0 = performance.now()
          bytes += data.length
          if (keep) chunks.push(data)
        })
        const sub = term.onTitleChange((t) => {
          if (t !== title) return
          const ms = performance.now() - t0
          sub.dispose()
          rendered.dispose()
          off()
          w.__bench = { chunks, bytes }
          resolve({ bytes, ms, frames })
        })
        armed = true
        w.cal.terminal.input({ id: sid, data: '\r' })
      }),
    { sid: id, keep, title: DONE_TITLE },
  )
}

/**
 * The same flood with xterm taken out: the session's xterm acknowledges each write at once without parsing it,
 * so this is what the transport alone (guest, ssh2, batcher, host, WebSocket, page) delivers on this machine.
 * Logged beside the figure to show how the machine's CPUs are shared between the transport and xterm; the
 * done mark is found in the bytes themselves.
 */
export function timeTransport(page: BarePage, id: string): Promise<FloodResult> {
  return page.evaluate(
    ({ sid, title }) =>
      new Promise<FloodResult>((resolve) => {
        const w = globalThis as unknown as PageWindow
        w.__calTerms.get(sid)!.write = (_data, callback) => callback?.()
        const tail = new TextDecoder()
        let t0 = 0
        let bytes = 0
        const off = w.cal.on('terminal:data', ({ id, data }) => {
          if (id !== sid) return
          if (!t0) t0 = performance.now()
          bytes += data.length
          if (!tail.decode(data.subarray(Math.max(0, data.length - 64))).includes(title)) return
          off()
          resolve({ bytes, ms: performance.now() - t0, frames: 0 })
        })
        w.cal.terminal.input({ id: sid, data: '\r' })
      }),
    { sid: id, title: DONE_TITLE },
  )
}

/**
 * xterm's own parse rate for the kept chunks (the same UTF-8 byte arrays, in the same pieces, that the
 * end-to-end run handed xterm), written in-page into a fresh registry xterm of the same size, options and DOM
 * renderer, timed the same way (first write to the done mark parsed). Rendering conditions match: all chunks are
 * queued at once, and xterm parses them in its own ~12 ms slices, yielding to the browser so frames render
 * during the run just as they do end to end; nothing is written synchronously or with rendering paused.
 */
export function timeCeiling(page: BarePage, id: string): Promise<FloodResult> {
  return page.evaluate(
    ({ sid, title }) =>
      new Promise<FloodResult>((resolve) => {
        const w = globalThis as unknown as PageWindow
        const term = w.__calTerms.get(sid)!
        const chunks = (w.__bench?.chunks ?? []) as Uint8Array[]
        const bytes = (w.__bench?.bytes ?? 0) as number
        const t0 = performance.now()
        let frames = 0
        const rendered = term.onRender(() => frames++)
        const sub = term.onTitleChange((t) => {
          if (t !== title) return
          sub.dispose()
          rendered.dispose()
          resolve({ bytes, ms: performance.now() - t0, frames })
        })
        for (const c of chunks) term.write(c)
        w.__bench = {}
      }),
    { sid: id, title: DONE_TITLE },
  )
}

/** Keystroke-to-echo times (ms): xterm input → window.cal → ssh2 → guest PTY echo → back → parsed by xterm. */
export function timeEchoes(page: BarePage, id: string, count: number): Promise<number[]> {
  return page.evaluate(
    async ({ sid, count }) => {
      const w = globalThis as unknown as PageWindow
      const term = w.__calTerms.get(sid)!
      const times: number[] = []
      for (let i = 0; i < count; i++) {
        const code = 97 + (i % 26)
        const ch = String.fromCharCode(code)
        const ms = await new Promise<number>((resolve) => {
          // The registry's listener (registered first) has already handed the data to xterm; an empty write
          // queues behind it, so its callback runs once the echo is parsed, whether xterm parsed it at once or later.
          const off = w.cal.on('terminal:data', ({ id, data }) => {
            if (id !== sid || !data.includes(code)) return
            off()
            term.write('', () => resolve(performance.now() - t0))
          })
          const t0 = performance.now()
          term.input(ch, true)
        })
        times.push(ms)
        await new Promise((r) => setTimeout(r, 10))
      }
      return times
    },
    { sid: id, count },
  )
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i] ?? NaN
}
