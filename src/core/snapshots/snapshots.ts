import { CalError } from '../../shared/errors'
import type { Snapshot } from '../../shared/snapshot'
import { localVms } from '../tart/parse'
import type { TartListEntry } from '../tart/types'
import type { Reporter, VmContext } from '../vms/context'
import { snapshotsToPrune } from './retention'
import { isInternalName, snapshotTartName } from '../vms/naming'

/** Snapshots CAL recorded for `vm` whose Tart clone still exists (Tart is the truth; the facts add kind and time). */
export async function listSnapshots(ctx: VmContext, vm: string, entries?: TartListEntry[]): Promise<Snapshot[]> {
  const [list, facts] = await Promise.all([entries ? Promise.resolve(entries) : ctx.tart.list({ source: 'local' }), ctx.facts.all()])
  const byName = new Map(localVms(list).map((e) => [e.name, e]))
  const out: Snapshot[] = []
  for (const [tartName, f] of facts) {
    const e = byName.get(tartName)
    if (f.role !== 'snapshot' || f.parent !== vm || !e || !f.snapshotName) continue
    out.push({ name: f.snapshotName, vm, tartName, kind: f.snapshotKind ?? 'manual', createdAt: f.createdAt ?? '', sizeGb: e.sizeGb })
  }
  return out.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
}

export async function findSnapshot(ctx: VmContext, vm: string, name: string, entries?: TartListEntry[]): Promise<Snapshot> {
  const snap = (await listSnapshots(ctx, vm, entries)).find((s) => s.name === name)
  if (!snap) throw new CalError('SNAPSHOT_NOT_FOUND', `"${vm}" has no snapshot named "${name}".`, { cli: `See its snapshots with \`cal snapshot list ${vm}\`.`, app: 'Its Snapshots tab lists the snapshots it has.' }, { vm, snapshot: name })
  return snap
}

/**
 * A Tart copy named as `vm`'s snapshot that another workspace could own instead: "dev.snap" owns "dev.snap.snap.x",
 * which is also "dev" + "snap.x". Only a copy without CAL's record needs asking.
 */
export async function ownedByAnother(ctx: VmContext, vm: string, tartName: string, entries?: TartListEntry[]): Promise<boolean> {
  const names = localVms(entries ?? (await ctx.tart.list({ source: 'local' }))).map((e) => e.name)
  return names.some((w) => w !== vm && !isInternalName(w) && tartName.startsWith(snapshotTartName(w, '')))
}

export async function deleteSnapshot(ctx: VmContext, vm: string, name: string, r: Reporter): Promise<void> {
  const snap = await findSnapshot(ctx, vm, name).catch(async (err: unknown) => {
    // Out of step (not listed): a record whose Tart copy is gone, or a copy without its record (a snapshot or a
    // delete cut short between its two steps). Deleting finishes it, rather than "no such snapshot" for good.
    const tartName = snapshotTartName(vm, name)
    const f = await ctx.facts.get(tartName)
    const recorded = f?.role === 'snapshot' && f.parent === vm
    if (!recorded && (f || !ctx.tart.localDirExists(tartName) || (await ownedByAnother(ctx, vm, tartName)))) throw err
    return { tartName }
  })
  r.step('delete')
  await ctx.tart.delete(snap.tartName, { signal: r.signal }).catch((err: unknown) => {
    if (CalError.from(err).code !== 'VM_NOT_FOUND') throw err
    r.log(`its Tart copy ${snap.tartName} was gone already`)
  })
  await ctx.facts.remove(snap.tartName)
}

/** Applies the retention policy to automatic snapshots; returns the names deleted. */
export async function pruneSnapshots(ctx: VmContext, vm: string, r: Reporter): Promise<string[]> {
  const policy = ctx.settings().snapshots
  const doomed = snapshotsToPrune(await listSnapshots(ctx, vm), policy)
  const deleted: string[] = []
  for (const s of doomed) {
    try {
      await ctx.tart.delete(s.tartName)
    } catch (err) {
      const e = CalError.from(err)
      // Keep the record of a clone that is still there, so it stays listed (and is retried) instead of orphaned.
      if (e.code !== 'VM_NOT_FOUND') {
        r.log(`retention: could not delete automatic snapshot ${s.name}: ${e.message}; it is kept and retried next time`)
        continue
      }
    }
    await ctx.facts.remove(s.tartName)
    deleted.push(s.name)
    r.log(`retention: deleted automatic snapshot ${s.name}`)
  }
  return deleted
}
