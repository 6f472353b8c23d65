import type { DiskUsage } from '../../shared/snapshot'
import { localVms } from '../tart/parse'
import type { VmContext } from '../vms/context'
import { isInternalName, parkedWorkingName, restoreOldName, restoreTempName } from '../vms/naming'

/** Per VM: its own allocated GB and its snapshots' (as Tart reports Size; APFS clones share blocks, so this is an upper bound). */
export async function diskUsage(ctx: VmContext): Promise<DiskUsage> {
  const [list, facts, free] = await Promise.all([ctx.tart.list({ source: 'local' }), ctx.facts.all(), ctx.freeSpace(ctx.tart.home)])
  const local = localVms(list)
  type Row = { name: string; sizeGb: number; snapshotsGb: number; snapshotCount: number; leftoverGb: number; deleted: boolean }
  const rows = new Map<string, Row>()
  const row = (name: string): Row => rows.get(name) ?? rows.set(name, { name, sizeGb: 0, snapshotsGb: 0, snapshotCount: 0, leftoverGb: 0, deleted: false }).get(name)!
  for (const e of local) {
    const f = facts.get(e.name)
    if (f?.role === 'snapshot' || isInternalName(e.name)) continue
    row(e.name).sizeGb = e.sizeGb
  }
  const tmp = restoreTempName('')
  for (const e of local) {
    const f = facts.get(e.name)
    if (f?.role === 'snapshot' && f.parent) {
      const r = row(f.parent)
      r.snapshotsGb += e.sizeGb
      r.snapshotCount += 1
      continue
    }
    // A restore's own copies, hidden from the VM list: still disk in use, counted under their VM.
    const owner = parkedWorkingName(e.name) ?? (e.name.endsWith(tmp) ? e.name.slice(0, -tmp.length) : null)
    if (owner) row(owner).leftoverGb += e.sizeGb
  }
  // Snapshots whose VM Tart no longer lists: a delete cut short after the VM went (cal killed, the Mac asleep). Not a
  // VM a restore parked and could not put back (its renames failed): that is the workspace, and "Finish deleting" it
  // deleted it.
  const listed = new Set(local.map((e) => e.name))
  for (const r of rows.values()) r.deleted = !listed.has(r.name) && !listed.has(restoreOldName(r.name)) && r.snapshotCount > 0
  const vms = [...rows.values()].sort((a, b) => a.name.localeCompare(b.name))
  return {
    totalGb: vms.reduce((n, v) => n + v.sizeGb + v.snapshotsGb + v.leftoverGb, 0),
    freeGb: free === null ? null : Math.round((free / 1e9) * 10) / 10,
    vms,
  }
}
