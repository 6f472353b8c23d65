/**
 * The WAI-ARIA tabs pattern's keys: the index of the tab a key moves to among `count` tabs from `index`, or null for
 * a key that is not the tab list's. Left and Right wrap around; Home and End go to the first and the last.
 */
export function tabKeyIndex(key: string, index: number, count: number): number | null {
  if (count === 0) return null
  switch (key) {
    case 'ArrowRight':
      return (index + 1) % count
    case 'ArrowLeft':
      return (index - 1 + count) % count
    case 'Home':
      return 0
    case 'End':
      return count - 1
    default:
      return null
  }
}
