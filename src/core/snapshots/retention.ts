import type { Snapshot } from '../../shared/snapshot'

/**
 * Automatic (session) snapshots to delete: everything beyond the newest `keep`, and any older than `maxAgeDays`.
 * Manual and init snapshots are never touched. `keep` 0 or `maxAgeDays` 0 disables that rule.
 */
export function snapshotsToPrune(snapshots: Snapshot[], policy: { keep: number; maxAgeDays: number }, now = Date.now()): Snapshot[] {
  const auto = snapshots.filter((s) => s.kind === 'session').sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
  const cutoff = now - policy.maxAgeDays * 86_400_000
  return auto.filter((s, i) => (policy.keep > 0 && i >= policy.keep) || (policy.maxAgeDays > 0 && Date.parse(s.createdAt) < cutoff))
}
