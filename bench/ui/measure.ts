import type { Page } from 'playwright-core'

/** Resolves after the next frame has been painted (rAF runs before paint; the timeout after it). */
export const AFTER_PAINT = 'new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))'

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}

/** Time from handing the store a fresh 200-VM list (a vms:changed event) to the painted sidebar. */
export async function sidebarPaint(page: Page, seed: number): Promise<number> {
  return page.evaluate(async (s) => {
    const bench = (window as unknown as { __bench: { emit: (e: string, p: unknown) => void; makeVms: (n: number, seed: number) => unknown[] } }).__bench
    const list = bench.makeVms(200, s)
    const t0 = performance.now()
    bench.emit('vms:changed', list)
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
    return performance.now() - t0
  }, seed)
}

/** Time from clicking a view tab to its list painted: `open` clicks, `ready` is the row selector. */
export async function viewPaint(page: Page, open: string, ready: string): Promise<number> {
  return page.evaluate(
    async ({ open, ready }) => {
      const t0 = performance.now()
      ;(document.querySelector(open) as HTMLElement).click()
      while (!document.querySelector(ready)) await new Promise((r) => setTimeout(r, 0))
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
      return performance.now() - t0
    },
    { open, ready },
  )
}

/** Each step scrolls most of a screen and waits for the painted frame; returns every step's time. */
export async function scrollSteps(page: Page, selector: string, steps: number): Promise<number[]> {
  return page.evaluate(
    async ({ selector, steps }) => {
      const el = document.querySelector(selector) as HTMLElement
      const times: number[] = []
      for (let i = 0; i < steps; i++) {
        const down = i < steps / 2
        const t0 = performance.now()
        el.scrollTop += (down ? 1 : -1) * Math.max(200, el.clientHeight * 0.9) * 3
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
        times.push(performance.now() - t0)
      }
      return times
    },
    { selector, steps },
  )
}
