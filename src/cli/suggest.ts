import { CalError } from '../shared/errors'
import type { CliContext } from './context'

/** Edit distance (insert, delete, substitute, swap two neighbours), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  }
  return d[a.length]![b.length]!
}

/** The one candidate closest to `word` (case-insensitive), if it is close enough to be a typo of it. */
export function closest(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase()
  const limit = Math.min(2, Math.max(1, Math.floor(w.length / 3)))
  let best: string | null = null
  let bestDistance = Infinity
  for (const c of candidates) {
    if (c === word) continue
    const dist = editDistance(w, c.toLowerCase())
    if (dist <= limit && dist < bestDistance) {
      best = c
      bestDistance = dist
    }
  }
  return best
}

/**
 * The one way every "did you mean" is said: " Did you mean X?" (a sentence to append to the message), X being the
 * closest candidate shown as the message showed the mistyped word (quoted by default; a flag as --flag); '' when
 * none is close.
 */
export function didYouMean(word: string, candidates: readonly string[], show: (guess: string) => string = (g) => `"${g}"`): string {
  const guess = closest(word, candidates)
  return guess ? ` Did you mean ${show(guess)}?` : ''
}

/**
 * A VM or snapshot that does not exist: when the name is a typo of one that does, say which ("did you mean").
 * Anything else, or a lookup that fails, returns the error as it was.
 */
export async function withSuggestion(ctx: Pick<CliContext, 'handlers'>, err: unknown): Promise<unknown> {
  if (!(err instanceof CalError) || !ctx.handlers || typeof err.details?.vm !== 'string') return err
  const vm = err.details.vm
  // No list to compare with: the original error says enough.
  const names = (list: () => Promise<{ name: string }[]>) => Promise.resolve().then(list).then((xs) => xs.map((x) => x.name), () => null)
  if (err.code === 'VM_NOT_FOUND' || err.code === 'SNAPSHOT_NOT_FOUND' || err.code === 'NO_SESSION_SNAPSHOT') {
    const vms = await names(() => ctx.handlers['vms:list']({}))
    if (vms && !vms.includes(vm)) {
      // Also behind a missing snapshot (`cal rollback dve`, `cal snapshot restore dve s1`): the VM is what is wrong.
      const missing = err.code === 'VM_NOT_FOUND' ? err : new CalError('VM_NOT_FOUND', `The VM "${vm}" does not exist.`, 'Run `cal list` to see your VMs.', { vm })
      const guess = didYouMean(vm, vms)
      return guess ? new CalError(missing.code, `${missing.message}${guess}`, missing.hint, missing.details) : missing
    }
  }
  if (err.code === 'SNAPSHOT_NOT_FOUND' && typeof err.details.snapshot === 'string') {
    const guess = didYouMean(err.details.snapshot, (await names(() => ctx.handlers['snapshots:list']({ vm }))) ?? [])
    if (guess) return new CalError(err.code, `${err.message}${guess}`, err.hint, err.details)
  }
  return err
}
