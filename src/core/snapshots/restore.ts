import { CalError } from '../../shared/errors'
import { localVms } from '../tart/parse'
import type { TartListEntry } from '../tart/types'
import { nested, type Reporter, type VmContext } from '../vms/context'
import { hardStop, startVm } from '../vms/lifecycle'
import { restoreOldName, restoreTempName, snapshotTartName } from '../vms/naming'
import { findSnapshot, listSnapshots } from './snapshots'

/**
 * Finishes or undoes a restore that a crash interrupted. OLD exists only between the two renames:
 * if the working name is missing, OLD is the working VM and goes back; otherwise the swap completed
 * and OLD is garbage. TMP is always garbage.
 */
export async function recoverInterruptedRestore(ctx: VmContext, vm: string, r?: Reporter, entries?: TartListEntry[]): Promise<void> {
  const names = new Set(localVms(entries ?? (await ctx.tart.list({ source: 'local' }))).map((e) => e.name))
  const old = restoreOldName(vm)
  const tmp = restoreTempName(vm)
  if (names.has(old)) {
    if (!names.has(vm)) {
      await ctx.tart.rename(old, vm)
      r?.log(`recovered ${vm} from an interrupted restore`)
    } else {
      await ctx.tart.delete(old)
    }
  }
  if (names.has(tmp)) await ctx.tart.delete(tmp)
}

/**
 * Crash-safe restore: clone the snapshot to TMP; only when that succeeded, stop the working VM, rename it to OLD,
 * rename TMP to the working name, delete OLD. Any failure before the second rename leaves the working VM as it
 * was (renamed back if needed) and says so. A VM that was running is started again afterwards.
 */
export async function restoreSnapshot(ctx: VmContext, vm: string, snapshot: string, r: Reporter): Promise<void> {
  r.step('prepare')
  // The snapshot's clone comes from CAL's facts, so cloning it to TMP starts at once (TMP, if left over, is ours
  // to replace), while one `tart list` finds the working VM's state and leftovers of an interrupted restore.
  const snapFacts = await ctx.facts.get(snapshotTartName(vm, snapshot))
  const tartName = snapFacts?.role === 'snapshot' && snapFacts.parent === vm ? snapshotTartName(vm, snapshot) : (await findSnapshot(ctx, vm, snapshot)).tartName
  const tmp = restoreTempName(vm)
  const old = restoreOldName(vm)
  const intact = (err: unknown, extra: string) => {
    const e = CalError.from(err)
    return new CalError(e.code, `Restoring "${vm}" from "${snapshot}" failed: ${e.message} ${extra}`, e.hint, { ...(e.details ?? {}), vm, snapshot, workingVmIntact: true })
  }
  r.step('clone')
  const cloned = ctx.tart.clone(tartName, tmp, { replace: true, signal: r.signal })
  cloned.catch(() => {})
  // A VM CAL itself runs is known to exist and run; leftovers of an interrupted restore show on Tart's disk layout.
  // Without such a run, one `tart list` (alongside the clone) finds the working VM's state.
  const rec = await ctx.facts.getRun(vm)
  const ours = await ctx.supervisor.isOurRun(rec, vm)
  let wasRunning: boolean
  try {
    if (ours && !ctx.tart.localDirExists(old)) {
      wasRunning = true
    } else {
      let list = await ctx.tart.list({ source: 'local', signal: r.signal })
      if (!list.some((e) => e.name === tartName)) await findSnapshot(ctx, vm, snapshot, list)
      if (list.some((e) => e.name === old)) {
        await cloned.catch(() => {})
        await recoverInterruptedRestore(ctx, vm, r, list.filter((e) => e.name !== tmp))
        list = await ctx.tart.list({ source: 'local', signal: r.signal })
      }
      const entry = localVms(list).find((e) => e.name === vm)
      if (!entry) throw new CalError('VM_NOT_FOUND', `The VM "${vm}" does not exist.`, 'Run `cal list` to see your VMs.', { vm })
      wasRunning = entry.state === 'running'
    }
    await cloned
  } catch (err) {
    await cloned.catch(() => {})
    await ctx.tart.delete(tmp).catch(() => {})
    throw intact(err, `The working VM "${vm}" was not touched.`)
  }
  const snapSuspended = ctx.tart.hasSavedState(tartName)

  r.step('swap')
  try {
    if (wasRunning) {
      r.log(`powering off ${vm} (its state is being replaced)`)
      await hardStop(ctx, vm)
    }
    await ctx.tart.rename(vm, old)
  } catch (err) {
    await ctx.tart.delete(tmp).catch(() => {})
    throw intact(err, `The working VM "${vm}" is intact${wasRunning ? ' but stopped' : ''}.`)
  }
  try {
    await ctx.tart.rename(tmp, vm)
  } catch (err) {
    await ctx.tart.rename(old, vm).catch(() => {})
    await ctx.tart.delete(tmp).catch(() => {})
    throw intact(err, `The working VM "${vm}" was put back${wasRunning ? ' (stopped)' : ''}.`)
  }

  r.step('cleanup')
  await ctx.tart.delete(old).catch((e: unknown) => r.log(`could not delete ${old}: ${CalError.from(e).message}; it is removed on the next restore`))

  if (wasRunning) {
    r.step('start')
    // A snapshot taken by suspending holds saved memory (macOS only); start resumes it without asking Tart again.
    await startVm(ctx, vm, nested(r, 'start'), snapSuspended ? { state: 'suspended', os: 'darwin' } : undefined)
  } else r.skip?.('start')
  r.log(`restored ${vm} to snapshot ${snapshot}`)
}

/** The newest session-start snapshot, for `cal rollback`. */
export async function latestSessionSnapshot(ctx: VmContext, vm: string): Promise<string> {
  const s = (await listSnapshots(ctx, vm)).find((x) => x.kind === 'session')
  if (!s) throw new CalError('NO_SESSION_SNAPSHOT', `"${vm}" has no session-start snapshot to roll back to.`, `See its snapshots with \`cal snapshot list ${vm}\` and restore one by name.`, { vm })
  return s.name
}
