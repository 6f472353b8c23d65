/** "a", "a and b", "a, b and c": for names in a sentence, in the engine's messages and the window alike. */
export function listJoin(items: readonly string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}
