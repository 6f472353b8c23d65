/** A window's bounds; the same shape as Electron's Rectangle. */
export interface Bounds {
  x: number
  y: number
  width: number
  height: number
}

export const DEFAULT_SIZE = { width: 1200, height: 780 }
const MIN = { width: 720, height: 480 }

const isBounds = (v: unknown): v is Bounds =>
  typeof v === 'object' &&
  v !== null &&
  ['x', 'y', 'width', 'height'].every((k) => Number.isFinite((v as Record<string, unknown>)[k]))

/**
 * The saved bounds if they still fit a connected display (a monitor may have been unplugged since), else null,
 * so the window opens centred at the default size instead of off-screen.
 */
export function restoreBounds(saved: unknown, workAreas: readonly Bounds[]): Bounds | null {
  if (!isBounds(saved)) return null
  const width = Math.max(MIN.width, Math.round(saved.width))
  const height = Math.max(MIN.height, Math.round(saved.height))
  const bounds = { x: Math.round(saved.x), y: Math.round(saved.y), width, height }
  // Visible enough to grab: at least 100×50 of its top part lies on some display.
  const visible = workAreas.some((a) => {
    const w = Math.min(bounds.x + bounds.width, a.x + a.width) - Math.max(bounds.x, a.x)
    const h = Math.min(bounds.y + 50, a.y + a.height) - Math.max(bounds.y, a.y)
    return w >= 100 && h >= 50
  })
  return visible ? bounds : null
}
