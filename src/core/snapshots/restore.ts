import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { CalError } from '../../shared/errors'
import type { VmState } from '../../shared/vm'
import { withFileLock } from '../store/file-lock'
import { withVmLock } from '../vms/vm-lock'
import { localVms } from '../tart/parse'
import type { TartListEntry } from '../tart/types'
import { nested, type Reporter, type VmContext } from '../vms/context'
import { hardStop, startVm } from '../vms/lifecycle'
import { parkedWorkingName, restoreOldName, restoreTempName, snapshotTartName } from '../vms/naming'
import { findSnapshot, listSnapshots } from './snapshots'
import { makeDirs } from '../store/make-dirs'

const TMP_SUFFIX = restoreTempName('')

/**
 * Finishes or undoes a restore that a crash interrupted, given the VMs Tart lists. OLD exists only between the two
 * renames: if the working name is missing, OLD is the working VM and goes back; otherwise the swap completed and OLD
 * is garbage, deleted unless `keepOldBesideVm` (deleting a working VM needs the git check, which only a restore ran).
 * TMP is always garbage. Returns how many repairs were made, each logged.
 */
export async function recoverInterruptedRestore(ctx: VmContext, vm: string, entries: TartListEntry[], log: (line: string) => void, opts: { keepOldBesideVm?: boolean; keepTmp?: boolean } = {}): Promise<number> {
  const names = new Set(localVms(entries).map((e) => e.name))
  const old = restoreOldName(vm)
  const tmp = restoreTempName(vm)
  let repaired = 0
  if (names.has(old) && !names.has(vm)) {
    await ctx.tart.rename(old, vm)
    repaired++
    log(`restore recovery: renamed ${old} back to ${vm} (a restore was interrupted before the swap; the working VM is back)`)
  } else if (names.has(old) && !opts.keepOldBesideVm) {
    await ctx.tart.delete(old)
    repaired++
    log(`restore recovery: deleted ${old} (the working VM an interrupted restore had already replaced)`)
  }
  if (names.has(tmp) && !opts.keepTmp) {
    await ctx.tart.delete(tmp)
    repaired++
    log(`restore recovery: deleted ${tmp} (the snapshot copy of an interrupted restore)`)
  }
  return repaired
}

/**
 * Held for a whole restore of `vm`, by whichever CAL process (app or `cal`) runs it, so the startup repair of another
 * process never takes a restore in progress for an interrupted one. `timeoutMs` 0: fail at once when held.
 */
async function withRestoreLock<T>(ctx: VmContext, vm: string, fn: () => Promise<T>, timeoutMs?: number): Promise<T> {
  await makeDirs(ctx.facts.paths.run)
  const path = join(ctx.facts.paths.run, `${vm}.restore.lock`)
  await clearDeadRestoreLock(path)
  return withFileLock(path, fn, timeoutMs)
}

/**
 * Both callers hold the VM's own lock (withVmLock), so a restore lock left by a process that no longer runs is a
 * crash's: removed at once, rather than after withFileLock's 10 s, during which the startup repair would skip the VM
 * as "busy" and leave its working VM parked.
 */
async function clearDeadRestoreLock(path: string): Promise<void> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim())
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return
  try {
    process.kill(pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') await rm(path, { force: true })
  }
}

const RECOVERY_LIST_MS = 15_000

/**
 * At engine start, repairs what an interrupted restore left behind, with one `tart list`: OLD without the working VM
 * is the working VM, parked before the swap, and is renamed back; TMP is a fresh clone of a snapshot (nobody's work)
 * and is deleted. OLD beside a working VM is left alone: deleting a VM needs the git check (deleteVm removes it with
 * its VM, the next restore replaces it). Returns how many repairs were made; logs each, and each failure.
 */
export async function recoverRestoreLeftovers(ctx: VmContext, log: (line: string) => void): Promise<number> {
  // A shorter limit than Tart's usual: a short-lived engine (a `cal doctor` on a stuck Tart) waits for this at exit.
  const names = new Set(localVms(await ctx.tart.list({ source: 'local', timeoutMs: RECOVERY_LIST_MS })).map((e) => e.name))
  const vms = new Set<string>()
  for (const n of names) {
    const parked = parkedWorkingName(n)
    if (parked && !names.has(parked)) vms.add(parked)
    if (n.endsWith(TMP_SUFFIX)) vms.add(n.slice(0, -TMP_SUFFIX.length))
  }
  // Only a VM CAL knows (its record, or a snapshot of it) can have had a restore: a Tart VM someone named
  // "experiment.restore-tmp" by hand was deleted by any CAL start, even by a `cal list`. Putting a parked VM back
  // under its free name destroys nothing, so that is done for any (CAL_HOME may have been reset meanwhile).
  const facts = vms.size > 0 ? await ctx.facts.all() : new Map()
  const known = (vm: string) => facts.has(vm) || [...facts.values()].some((f) => f.role === 'snapshot' && f.parent === vm)
  let repaired = 0
  for (const vm of vms) {
    let locked = false
    try {
      // Under the VM's own locks too (this process's queue, then every CAL process's: see withVmLock), so a delete or
      // a restore under way elsewhere is never taken for an interrupted one: OLD without VM is also what a delete
      // leaves for an instant.
      await ctx.locks.run(vm, () =>
        withVmLock(ctx.facts.paths.run, vm, `Repair an interrupted restore of ${vm}`, () =>
          withRestoreLock(
            ctx,
            vm,
            async () => {
              locked = true
              // Listed again under the lock: a restore that just finished may have settled things already.
              repaired += await recoverInterruptedRestore(ctx, vm, await ctx.tart.list({ source: 'local' }), log, { keepOldBesideVm: true, keepTmp: !known(vm) })
            },
            0,
          ),
        ),
      )
    } catch (err) {
      log(locked ? `restore recovery: ${vm}: ${CalError.from(err).message}` : `restore recovery: skipped ${vm}, another CAL process is working on it`)
    }
  }
  return repaired
}

/**
 * Crash-safe restore: clone the snapshot to TMP; only when that succeeded, stop the working VM, rename it to OLD,
 * rename TMP to the working name, delete OLD. Any failure before the second rename leaves the working VM as it
 * was (renamed back if needed) and says so. A VM that was running is started again afterwards.
 */
export function restoreSnapshot(ctx: VmContext, vm: string, snapshot: string, r: Reporter): Promise<void> {
  return withRestoreLock(ctx, vm, () => restoreUnlocked(ctx, vm, snapshot, r))
}

async function restoreUnlocked(ctx: VmContext, vm: string, snapshot: string, r: Reporter): Promise<void> {
  r.step('prepare')
  // The snapshot's clone comes from CAL's facts, so cloning it to TMP starts at once (TMP, if left over, is ours
  // to replace), while one `tart list` finds the working VM's state and leftovers of an interrupted restore.
  const snapFacts = await ctx.facts.get(snapshotTartName(vm, snapshot))
  const tartName = snapFacts?.role === 'snapshot' && snapFacts.parent === vm ? snapshotTartName(vm, snapshot) : (await findSnapshot(ctx, vm, snapshot)).tartName
  const tmp = restoreTempName(vm)
  const old = restoreOldName(vm)
  const intact = (err: unknown, extra: string) => {
    const e = CalError.from(err)
    return new CalError(e.code, `Restoring "${vm}" from "${snapshot}" failed: ${e.message} ${extra}`, e.hints, { ...(e.details ?? {}), vm, snapshot, workingVmIntact: true })
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
        await recoverInterruptedRestore(ctx, vm, list.filter((e) => e.name !== tmp), (line) => r.log(line))
        list = await ctx.tart.list({ source: 'local', signal: r.signal })
      }
      const entry = localVms(list).find((e) => e.name === vm)
      if (!entry) throw new CalError('VM_NOT_FOUND', `The VM "${vm}" does not exist.`, { cli: 'Run `cal list` to see your VMs.', app: 'It may have been deleted or renamed outside CAL; the sidebar lists the VMs that exist.' }, { vm })
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
      // The VM ran through the clone (see the service's restore): it shows as stopping from here, started after.
      showAs(ctx, vm, 'stopping')
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
    const putBack = await ctx.tart.rename(old, vm).then(
      () => true,
      () => false,
    )
    await ctx.tart.delete(tmp).catch(() => {})
    if (putBack) throw intact(err, `The working VM "${vm}" was put back${wasRunning ? ' (stopped)' : ''}.`)
    // Say so only when it is true: the user must know the working VM sits under another name, and how to get it back.
    const e = CalError.from(err)
    throw new CalError(
      e.code,
      `Restoring "${vm}" from "${snapshot}" failed: ${e.message} The working VM is parked as "${old}" and could not be renamed back.`,
      `Put it back with \`tart rename ${old} ${vm}\` (CAL also tries this when it next starts).`,
      { ...(e.details ?? {}), vm, snapshot, workingVmIntact: false, parkedAs: old },
    )
  }

  r.step('cleanup')
  await ctx.tart.delete(old).catch((e: unknown) => r.log(`could not delete ${old}: ${CalError.from(e).message}; it is removed on the next restore`))

  if (wasRunning) {
    r.step('start')
    showAs(ctx, vm, 'starting')
    // A snapshot taken by suspending holds saved memory (macOS only); start resumes it without asking Tart again.
    await startVm(ctx, vm, nested(r, 'start'), snapSuspended ? { state: 'suspended', os: 'darwin' } : undefined)
  } else r.skip?.('start')
  r.log(`restored ${vm} to snapshot ${snapshot}`)
}

/** The state the VM's list shows while the restore drives it (the service clears it when the restore ends). */
function showAs(ctx: VmContext, vm: string, state: VmState): void {
  ctx.transient.set(vm, state)
  ctx.transientChanged()
}

/** The newest session-start snapshot, for `cal rollback`. */
export async function latestSessionSnapshot(ctx: VmContext, vm: string): Promise<string> {
  const s = (await listSnapshots(ctx, vm)).find((x) => x.kind === 'session')
  if (!s) throw new CalError('NO_SESSION_SNAPSHOT', `"${vm}" has no session-start snapshot to roll back to.`, { cli: `See its snapshots with \`cal snapshot list ${vm}\` and restore one by name.`, app: 'Restore one of its snapshots from its Snapshots tab instead.' }, { vm })
  return s.name
}
