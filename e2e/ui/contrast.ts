import type { Locator } from '@playwright/test'

/**
 * The WCAG contrast ratio of an element's text against what is drawn behind it: the element's colour (with its alpha
 * and its ancestors' opacity) over the background colours of it and its ancestors, composited up to the first opaque
 * one (the page's own background otherwise). Background images and shadows are not taken into account.
 */
export function contrastOf(locator: Locator): Promise<number> {
  return locator.evaluate((el) => {
    type Rgba = [number, number, number, number]
    const parse = (c: string): Rgba => {
      const m = /rgba?\(([^)]+)\)/.exec(c)
      if (!m) return [0, 0, 0, 0]
      const [r = 0, g = 0, b = 0, a = 1] = m[1]!.split(/[,\s/]+/).filter(Boolean).map(Number)
      return [r, g, b, a]
    }
    const over = (top: Rgba, under: Rgba): Rgba => {
      const a = top[3] + under[3] * (1 - top[3])
      if (a === 0) return [0, 0, 0, 0]
      const mix = (i: 0 | 1 | 2) => (top[i] * top[3] + under[i] * under[3] * (1 - top[3])) / a
      return [mix(0), mix(1), mix(2), a]
    }
    const layers: Rgba[] = []
    let opacity = 1
    for (let node: Element | null = el; node; node = node.parentElement) {
      const style = getComputedStyle(node)
      opacity *= Number(style.opacity)
      const bg = parse(style.backgroundColor)
      if (bg[3] > 0) layers.push(bg)
      if (bg[3] >= 1) break
    }
    let back: Rgba = layers.at(-1)?.[3] === 1 ? [0, 0, 0, 0] : parse(getComputedStyle(document.documentElement).backgroundColor)
    if (back[3] < 1) back = over(back, [255, 255, 255, 1])
    for (const layer of layers.reverse()) back = over(layer, back)
    const fg = parse(getComputedStyle(el).color)
    const text = over([fg[0], fg[1], fg[2], fg[3] * opacity], back)
    const lum = ([r, g, b]: Rgba) => {
      const ch = (v: number) => {
        const s = v / 255
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
      }
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)
    }
    const [hi, lo] = [lum(text), lum(back)].sort((x, y) => y - x) as [number, number]
    return Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100
  })
}
