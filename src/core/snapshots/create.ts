import { CalError } from '../../shared/errors'
import { freeSpaceHint } from '../host/disk'
import type { Snapshot, SnapshotKind } from '../../shared/snapshot'
import { localVms } from '../tart/parse'
import type { TartListEntry } from '../tart/types'
import { nested, type Reporter, type VmContext } from '../vms/context'
import { startVm, stopVm, suspendVm } from '../vms/lifecycle'
import { autoSnapshotName, defaultRole, snapshotTartName, validateName } from '../vms/naming'
import { ownedByAnother } from './snapshots'

/**
 * A Tart clone of a running VM's disk is not consistent, so a running VM is paused first: suspended (memory saved,
 * the agent's processes and tmux sessions survive) when CAL started it with --suspendable and the disk can hold the
 * saved memory, else shut down cleanly (never powered off: a guest that cannot be asked is refused);
 * then cloned; then started again, so it ends in the state it was in. The clone of a suspended VM carries its saved
 * state, so restoring such a snapshot resumes the paused session.
 */
export async function createSnapshot(ctx: VmContext, vm: string, opts: { name?: string; kind: SnapshotKind }, r: Reporter): Promise<Snapshot> {
  validateName(vm, 'VM name')
  const name = validateName(opts.name ?? autoSnapshotName(opts.kind), 'snapshot name', 'snapshot')
  r.step('check')
  const tartName = snapshotTartName(vm, name)
  const known = await ctx.facts.get(tartName)
  // Clone names can meet: VM "dev" + snapshot "snap.x" and VM "dev.snap" + snapshot "x" are both "dev.snap.snap.x".
  const taken = () =>
    known && known.parent !== vm
      ? new CalError('SNAPSHOT_EXISTS', `The snapshot name "${name}" is not free for "${vm}": its Tart copy would be "${tartName}", which is already ${known.parent ? `a snapshot of "${known.parent}"` : 'another VM'}.`, 'Pick another snapshot name.', { vm, snapshot: name, tartName })
      : new CalError('SNAPSHOT_EXISTS', `"${vm}" already has a snapshot named "${name}".`, 'Pick another name, or delete the old snapshot first.', { vm, snapshot: name })
  if (known?.role === 'snapshot' && known.parent === vm) {
    if (ctx.tart.localDirExists(tartName)) throw taken()
    // A record whose copy is gone (deleted with Tart, or a delete cut short between the two): nothing to keep.
    await ctx.facts.remove(tartName)
    r.log(`removed CAL's record of snapshot ${name}, whose Tart copy ${tartName} was gone`)
  }
  // A copy without CAL's record is what a snapshot cut short left (cal killed during its clone): never confirmed, so
  // replaced, as the clone below does. One another workspace could own ("dev.snap" owns "dev.snap.snap.x") is not.
  const takenBy = async (list?: TartListEntry[]): Promise<CalError | null> => {
    if (known || (await ownedByAnother(ctx, vm, tartName, list))) return taken()
    r.log(`replacing ${tartName}, a copy left by a snapshot that was cut short (CAL has no record of it)`)
    return null
  }
  // A run CAL started with --suspendable is known to be running without asking Tart, and a free snapshot name is
  // checked on Tart's documented disk layout, so the pause starts at once. Otherwise one `tart list` decides.
  const rec = await ctx.facts.getRun(vm)
  const canSuspend = !!rec?.suspendable && (await ctx.supervisor.isOurRun(rec, vm))
  let sizeOf: Promise<number>
  let wasRunning: boolean
  if (canSuspend) {
    if (ctx.tart.localDirExists(tartName)) {
      const refused = await takenBy()
      if (refused) throw refused
    }
    wasRunning = true
    // The size is only for the answer; read it while the VM resumes and the engine waits for its IP anyway.
    sizeOf = Promise.resolve(0)
  } else {
    const list = await ctx.tart.list({ source: 'local', signal: r.signal })
    const entry = localVms(list).find((e) => e.name === vm)
    if (!entry) throw new CalError('VM_NOT_FOUND', `The VM "${vm}" does not exist.`, { cli: 'Run `cal list` to see your VMs.', app: 'It may have been deleted or renamed outside CAL; the sidebar lists the VMs that exist.' }, { vm })
    if (list.some((e) => e.name === tartName)) {
      const refused = await takenBy(list)
      if (refused) throw refused
    }
    wasRunning = entry.state === 'running'
    sizeOf = Promise.resolve(entry.sizeGb)
  }
  if (wasRunning) {
    r.step('pause')
    r.log(canSuspend ? `suspending ${vm} so its disk is consistent` : `shutting ${vm} down cleanly so its disk is consistent`)
    try {
      if (canSuspend) {
        const session = opts.kind === 'session' ? ', or turn off "Snapshot at every agent session start" in Settings → Snapshots' : ''
        await suspendVm(ctx, vm, nested(r, 'suspend'), { knownRunning: true, spaceHint: freeSpaceHint({ cli: ` and try again${session}.`, app: ` and try again${session}.` }) })
      } else {
        // A VM CAL did not start is shut down over SSH; one that cannot be asked is refused, never powered off for a snapshot.
        await stopVm(ctx, vm, false, nested(r, 'stop'), { noPowerOffFor: `snapshot "${name}"` })
      }
    } catch (err) {
      const e = CalError.from(err)
      if (e.code === 'VM_DIED') {
        throw new CalError('VM_DIED', `"${vm}" stopped unexpectedly while being paused for snapshot "${name}"; no snapshot was taken.`, { cli: `Its disk is as the crash left it. Start it again with \`cal start ${vm}\`.`, app: 'Its disk is as the crash left it. Start it again.' }, { vm, cause: e.message, ...(e.details ?? {}) })
      }
      throw e
    }
  } else r.skip?.('pause')

  let cloneError: unknown = null
  const createdAt = new Date().toISOString()
  r.step('clone')
  try {
    // The name was checked free above; skip the driver's own existence check.
    await ctx.tart.clone(vm, tartName, { replace: true, signal: r.signal })
    await ctx.facts.put(tartName, {
      role: 'snapshot',
      createdAt,
      baseImage: null,
      agent: null,
      os: null,
      parent: vm,
      snapshotName: name,
      snapshotKind: opts.kind,
    })
  } catch (err) {
    cloneError = err
    await ctx.tart.delete(tartName).catch(() => {})
  }

  if (wasRunning) {
    // Bring the VM back even if the clone failed: the user's session matters more than the snapshot.
    r.step('resume')
    if (canSuspend) {
      sizeOf = ctx.tart.list({ source: 'local' }).then((l) => l.find((e) => e.name === tartName)?.sizeGb ?? 0, () => 0)
    }
    try {
      await startVm(ctx, vm, nested(r, 'start'), canSuspend ? { state: 'suspended', os: 'darwin' } : undefined)
    } catch (err) {
      const e = CalError.from(err)
      const taken = cloneError ? 'no snapshot was taken' : `snapshot "${name}" was taken and is safe`
      throw new CalError(e.code, `"${vm}" did not come back after the snapshot (${taken}): ${e.message}`, e.hint ? e.hints : { cli: `Start it again with \`cal start ${vm}\`.`, app: 'Start it again.' }, { ...(e.details ?? {}), vm, snapshot: cloneError ? null : name })
    }
  } else r.skip?.('resume')
  if (cloneError) throw cloneError

  // A VM made outside CAL is recorded from its first session snapshot on (the snapshot's own record says when).
  if (opts.kind === 'session') {
    await ctx.facts.update(vm, {}, () => ({ role: defaultRole(vm), createdAt: null, baseImage: null, agent: null, os: null, parent: null, snapshotName: null, snapshotKind: null }))
  }
  // A clone reports the same allocated size as its source (APFS shares the blocks), so no second `tart list`.
  return { name, vm, tartName, kind: opts.kind, createdAt, sizeGb: await sizeOf }
}
