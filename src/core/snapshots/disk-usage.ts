import type { DiskUsage } from '../../shared/snapshot'
import { localVms } from '../tart/parse'
import type { VmContext } from '../vms/context'
import { isInternalName } from '../vms/naming'

/** Per VM: its own allocated GB and its snapshots' (as Tart reports Size; APFS clones share blocks, so this is an upper bound). */
export async function diskUsage(ctx: VmContext): Promise<DiskUsage> {
  const [list, facts, free] = await Promise.all([ctx.tart.list({ source: 'local' }), ctx.facts.all(), ctx.freeSpace(ctx.tart.home)])
  const local = localVms(list)
  const rows = new Map<string, { name: string; sizeGb: number; snapshotsGb: number; snapshotCount: number }>()
  for (const e of local) {
    const f = facts.get(e.name)
    if (f?.role === 'snapshot' || isInternalName(e.name)) continue
    rows.set(e.name, { name: e.name, sizeGb: e.sizeGb, snapshotsGb: 0, snapshotCount: 0 })
  }
  for (const e of local) {
    const f = facts.get(e.name)
    if (f?.role !== 'snapshot' || !f.parent) continue
    const row = rows.get(f.parent) ?? { name: f.parent, sizeGb: 0, snapshotsGb: 0, snapshotCount: 0 }
    row.snapshotsGb += e.sizeGb
    row.snapshotCount += 1
    rows.set(f.parent, row)
  }
  const vms = [...rows.values()].sort((a, b) => a.name.localeCompare(b.name))
  return {
    totalGb: vms.reduce((n, v) => n + v.sizeGb + v.snapshotsGb, 0),
    freeGb: free === null ? null : Math.round((free / 1e9) * 10) / 10,
    vms,
  }
}
