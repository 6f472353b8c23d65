import { readFile } from 'node:fs/promises'
import { homedir, release } from 'node:os'
import { join } from 'node:path'
import { CalError, type Hint } from '../../shared/errors'
import { freeSpaceHint } from '../host/disk'
import { shellJoin } from '../ssh/quote'
import { mapTartFailure } from '../tart/errors'
import { localVms } from '../tart/parse'
import type { TartState } from '../tart/types'
import type { Reporter, VmContext } from './context'
import { assertCapacity, fewOthersRunning, MAC_VM_LIMIT } from './inventory'
import { isInternalName, restoreOldName, restoreTempName, snapshotTartName } from './naming'
import { signalProcess, sleep, type RunExit } from './supervisor'
import { makeDirs } from '../store/make-dirs'

function assertNotRunning(d: KnownVm, name: string): void {
  if (d.state === 'running') {
    throw new CalError('VM_ALREADY_RUNNING', `The VM "${name}" is already running.`, { cli: `Connect with \`cal ssh ${name}\`, or stop it first with \`cal stop ${name}\`.`, app: 'Open a terminal on it, or stop it first.' }, { vm: name, state: 'running' })
  }
}

/** What a caller already knows about a VM, so start need not ask Tart again. */
export interface KnownVm {
  state: TartState
  os: 'darwin' | 'linux'
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p
}

/** Turns a `tart run` that ended during start into the error Tart printed (limit, missing VM, crash…). */
async function runEndedError(ctx: VmContext, name: string, logPath: string, logOffset: number, exit: RunExit): Promise<CalError> {
  const text = await ctx.supervisor.logSince(logPath, logOffset)
  const mapped = mapTartFailure({ args: ['run', name], exitCode: exit.code ?? undefined, stderr: text, stdout: '' })
  if (mapped.code !== 'TART_FAILED') return mapped
  // Tart's last line ends in its own dots ("Stopping VM..."): one full stop after it, not four.
  const last = (text.trim().split('\n').pop() ?? '').replace(/[.\s]+$/, '')
  return new CalError('VM_DIED', `The VM "${name}" stopped while starting${last ? `: ${last}` : ''}.`, `See the log at ${logPath}.`, { vm: name, log: text.slice(-2000), exitCode: exit.code })
}

/** Rejects when the run process ends: raced against every wait during start so a dead VM fails fast. */
function whenEnded(ctx: VmContext, name: string, run: { exited: Promise<RunExit>; logPath: string; logOffset: number }): Promise<never> {
  return run.exited.then(async (exit) => {
    throw await runEndedError(ctx, name, run.logPath, run.logOffset, exit)
  })
}

/**
 * Whether this Mac can save a VM's memory: Virtualization.framework's save and restore, and so `tart suspend`, need
 * macOS 14 (Darwin 23). On macOS 13 a VM runs without --suspendable and a snapshot shuts it down cleanly instead.
 * Other platforms are the simulated host, which behaves like macOS 14.
 */
export function hostCanSuspend(platform: string = process.platform, darwinRelease: string = release()): boolean {
  return platform !== 'darwin' || Number(darwinRelease.split('.')[0]) >= 23
}

/**
 * Headless start: `tart run --no-graphics` detached and supervised, then `tart ip --wait`, then a real SSH banner.
 * macOS guests run with --suspendable (on a macOS 14 host) so snapshots can pause them without losing the agent's work.
 */
export async function startVm(ctx: VmContext, name: string, r: Reporter, known?: KnownVm): Promise<{ ip: string }> {
  r.step('check')
  // `tart get` and `tart list` in parallel: this VM's state and OS, and whether two others run (the 2-VM limit).
  // A caller bringing back a VM it just suspended or stopped passes what it knows (its slot was free) and skips both.
  let d: KnownVm
  if (known) d = known
  else {
    const os = (await ctx.facts.get(name))?.os
    if (os) {
      // CAL made this VM and knows its OS: one `tart list` gives its state and who else runs.
      const list = localVms(await ctx.tart.list({ source: 'local', signal: r.signal }))
      const entry = list.find((e) => e.name === name)
      if (!entry) throw new CalError('VM_NOT_FOUND', `The VM "${name}" does not exist.`, { cli: 'Run `cal list` to see your VMs.', app: 'It may have been deleted or renamed outside CAL; the sidebar lists the VMs that exist.' }, { vm: name })
      d = { state: entry.state, os }
      assertNotRunning(d, name)
      const others = list.filter((e) => e.state === 'running' && e.name !== name)
      if (os === 'darwin' && others.length >= MAC_VM_LIMIT) await assertCapacity(ctx, name)
    } else {
      const [got, roomy] = await Promise.all([ctx.tart.get(name, { signal: r.signal }), fewOthersRunning(ctx, name)])
      d = got
      assertNotRunning(d, name)
      if (d.os === 'darwin' && !roomy) await assertCapacity(ctx, name)
    }
  }

  r.step('boot')
  const dirs: string[] = []
  const out = ctx.settings().outputFolder
  if (out) {
    const dir = join(expandHome(out), name)
    await makeDirs(dir)
    dirs.push(`cal-output:${dir}`)
    r.log(`sharing ${dir} with the VM (read-write)`)
  }
  if (d.state === 'suspended') r.log('resuming from the saved state')
  const run = await ctx.supervisor.spawn(name, { noGraphics: true, suspendable: d.os === 'darwin' && hostCanSuspend(), dirs })
  r.log(`tart run started (pid ${run.pid}), log: ${run.logPath}`)
  // Tart deletes state.vzvmsave once it restored from it: from here a resume is not undone by a cancel (a hard stop
  // would lose the saved sessions), so it waits on without the signal.
  const signal = d.state === 'suspended' ? undefined : r.signal
  const ended = whenEnded(ctx, name, run)
  ended.catch(() => {})
  try {
    r.step('ip')
    const ip = await Promise.race([ctx.tart.ip(name, { waitSeconds: ctx.timing.ipWaitSeconds, signal }), ended])
    r.log(`IP address ${ip}`)
    const rec = await ctx.facts.getRun(name)
    if (rec) await ctx.facts.putRun(name, { ...rec, ip })

    r.step('ssh')
    const banner = await Promise.race([ctx.waitForSsh(ip, 22, { timeoutMs: ctx.timing.sshWaitMs, signal }), ended])
    r.log(`SSH ready (${banner})`)
    return { ip }
  } catch (err) {
    // A cancelled start must not leave a VM half-booted behind the user's back.
    if (signal && (signal.aborted || CalError.from(err).code === 'CANCELLED')) {
      await endRun(ctx, name, run).catch((e: unknown) => r.log(`could not stop the run it began: ${CalError.from(e).message}`))
    }
    throw withLogPath(err, run.logPath)
  }
}

/**
 * The layers below (Tart's errors, the SSH wait) point at "its log under CAL_HOME/logs", which is no folder anyone
 * can open: this run's log file is named instead.
 */
function withLogPath(err: unknown, logPath: string): unknown {
  if (!(err instanceof CalError) || !`${err.hint} ${err.appHint}`.includes('log under CAL_HOME/logs')) return err
  const named = (h: string) => h.replaceAll('log under CAL_HOME/logs', `log at ${logPath}`)
  return new CalError(err.code, err.message, { cli: named(err.hints.cli), app: named(err.hints.app) }, err.details)
}

/** Whether the run's end was asked for; cleared when the request failed, so a later crash is still reported. */
async function markStopRequested(ctx: VmContext, name: string, requested = true): Promise<void> {
  const rec = await ctx.facts.getRun(name)
  if (rec && rec.stopRequested !== requested) await ctx.facts.putRun(name, { ...rec, stopRequested: requested })
}

async function waitNotRunning(ctx: VmContext, name: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && !signal?.aborted) {
    const d = await ctx.tart.get(name).catch(() => null)
    if (!d || d.state !== 'running') return true
    await sleep(250, signal)
  }
  return false
}

export async function hardStop(ctx: VmContext, name: string): Promise<void> {
  await markStopRequested(ctx, name)
  await ctx.tart.stop(name, { timeoutSeconds: 5 })
  await ctx.facts.removeRun(name)
}

/**
 * Ends a run this process began, as `tart stop` would (SIGINT: Tart's hard stop; SIGKILL if it is still there after
 * 5 s), but by its PID: until `tart run` holds its lock, `tart stop` finds no VM running and the run boots on.
 */
async function endRun(ctx: VmContext, name: string, run: { pid: number }): Promise<void> {
  await markStopRequested(ctx, name)
  if (signalProcess(run.pid, 'SIGINT') && !(await ctx.supervisor.waitExit(run.pid, 5000))) {
    signalProcess(run.pid, 'SIGKILL')
    if (!(await ctx.supervisor.waitExit(run.pid, 5000))) throw new CalError('TART_FAILED', `The run of ${name} (pid ${run.pid}) did not end.`, 'Stop it before using it.', { vm: name })
  }
  await ctx.facts.removeRun(name)
}

/**
 * Clean stop: ask the guest OS to shut down, wait, then `tart stop` if it did not. The request is SIGUSR2 to the
 * `tart run` CAL started (Tart's own "Requesting guest OS to stop..."); for a VM started outside CAL there is no
 * PID CAL can trust, so it asks over SSH (`sudo shutdown -h now`). `force` powers off at once. With `noPowerOffFor`
 * (what the stop is for, e.g. a snapshot), a guest that cannot be asked is left running and the stop refused,
 * rather than powered off behind the user's back.
 */
export async function stopVm(ctx: VmContext, name: string, force: boolean, r: Reporter, opts: { noPowerOffFor?: string } = {}): Promise<void> {
  r.step('check')
  const d = await ctx.tart.get(name, { signal: r.signal })
  if (d.state === 'stopped') {
    await ctx.facts.removeRun(name)
    // Stopped meanwhile (from inside the guest, by Tart, by another window): what was asked for is done.
    throw new CalError('VM_NOT_RUNNING', `The VM "${name}" is already stopped.`, 'Nothing was done.', { vm: name, state: 'stopped' })
  }
  if (d.state === 'suspended') {
    if (!force) {
      throw new CalError('VM_NOT_RUNNING', `The VM "${name}" is suspended; stopping it would discard its saved memory state.`, { cli: `Resume it with \`cal start ${name}\`, or discard the state with \`cal stop ${name} --force\`.`, app: 'Resume it with Start, then stop it: that shuts it down cleanly.' }, { vm: name })
    }
    r.step('poweroff')
    await ctx.tart.stop(name, { signal: r.signal })
    r.log('discarded the suspended state')
    return
  }
  await markStopRequested(ctx, name)
  const rec = await ctx.facts.getRun(name)
  if (!force) {
    r.step('shutdown')
    let asked: boolean
    if (rec && (await ctx.supervisor.isOurRun(rec, name))) {
      // The run may end between the check and the signal; then there is nothing left to ask, and the wait below sees it gone.
      asked = true
      r.log(signalProcess(rec.pid, 'SIGUSR2') ? 'asked the guest OS to shut down' : 'the VM had already stopped')
    } else {
      const res = await ctx.exec(name, shellJoin(['sudo', '-n', 'shutdown', '-h', 'now']), { timeoutMs: 10_000, signal: r.signal }).catch((e: unknown) => ({ code: -1, stdout: '', stderr: String(e) }))
      asked = res.code === 0
      if (!asked && opts.noPowerOffFor) {
        await markStopRequested(ctx, name, false)
        const why = (res.stderr || res.stdout).trim().split('\n').pop()?.slice(0, 200) || `exit code ${res.code}`
        throw new CalError(
          'VM_ALREADY_RUNNING',
          `"${name}" could not be asked to shut down cleanly for ${opts.noPowerOffFor}: \`sudo -n shutdown -h now\` over SSH failed (${why}). CAL does not power a VM off for that; "${name}" is still running.`,
          {
            cli: `Shut it down from inside the VM, or stop it in CAL (\`cal stop ${name}\`, which powers it off if the guest cannot be asked), then try again.`,
            app: 'Shut it down from inside the VM, or stop it with Stop (which powers it off if the guest cannot be asked), then try again.',
          },
          { vm: name },
        )
      }
      // A cancel that cut the question short: nothing is powered off, so the log must not say so.
      if (!asked && r.signal?.aborted) throw new CalError('CANCELLED', `Stopping ${name} was cancelled.`)
      r.log(asked ? 'asked the guest OS to shut down over SSH' : 'could not ask the guest to shut down; powering it off')
    }
    const gone = asked && (rec && (await ctx.supervisor.isOurRun(rec, name)) ? await ctx.supervisor.waitExit(rec.pid, ctx.timing.shutdownGraceMs, r.signal) : await waitNotRunning(ctx, name, ctx.timing.shutdownGraceMs, r.signal))
    if (gone && !(await waitNotRunning(ctx, name, 5000, r.signal))) r.log('the run process ended but Tart still reports the VM running')
    if (gone) {
      await ctx.facts.removeRun(name)
      return
    }
    if (r.signal?.aborted) throw new CalError('CANCELLED', `Stopping ${name} was cancelled.`)
    if (asked) r.log(`the guest did not shut down within ${Math.round(ctx.timing.shutdownGraceMs / 1000)} s`)
  }
  r.step('poweroff')
  await ctx.tart.stop(name, { timeoutSeconds: 5 })
  if (rec) await ctx.supervisor.waitExit(rec.pid, 10_000)
  await ctx.facts.removeRun(name)
  r.log('powered off')
}

/** Headroom beyond the guest's RAM, so a suspend neither fails for a few MB nor leaves the Mac's disk full. */
const SUSPEND_MARGIN_BYTES = 2e9

/** The VM's memory in bytes from its config.json (Tart's documented layout, no `tart get` on the hot path), else from Tart. */
async function memoryBytes(ctx: VmContext, name: string): Promise<number> {
  try {
    const cfg = JSON.parse(await readFile(join(ctx.tart.home, 'vms', name, 'config.json'), 'utf8')) as { memorySize?: unknown }
    if (typeof cfg.memorySize === 'number' && cfg.memorySize > 0) return cfg.memorySize
  } catch {
    // Unreadable or another layout: ask Tart.
  }
  return (await ctx.tart.get(name)).memoryMb * 1024 * 1024
}

/**
 * A suspend writes state.vzvmsave, about the size of the guest's RAM, to TART_HOME's volume. If that write fails,
 * Tart's run exits 1 and the VM dies without a guest shutdown, so CAL refuses up front and the VM keeps running.
 */
async function assertRoomToSuspend(ctx: VmContext, name: string, hint: Hint): Promise<void> {
  const [memory, free] = await Promise.all([memoryBytes(ctx, name), ctx.freeSpace(ctx.tart.home)])
  const needed = memory + SUSPEND_MARGIN_BYTES
  if (free === null || free >= needed) return
  const gb = (bytes: number) => (bytes / 1e9).toFixed(1)
  throw new CalError(
    'DISK_FULL',
    `Not enough disk space to suspend "${name}": saving its memory needs about ${gb(needed)} GB on Tart's volume and only ${gb(free)} GB is free. "${name}" was not suspended and keeps running.`,
    hint,
    { vm: name, neededBytes: needed, freeBytes: free, path: ctx.tart.home },
  )
}

/**
 * Suspend saves memory to state.vzvmsave and ends `tart run`. Only safe for a run CAL started with --suspendable:
 * Tart's SIGUSR1 on any other run kills the VM without saving anything. `spaceHint` is what to do when the disk
 * cannot hold the saved memory (the snapshot flow names its own way out).
 */
export async function suspendVm(ctx: VmContext, name: string, r: Reporter, opts: { knownRunning?: boolean; spaceHint?: Hint } = {}): Promise<void> {
  r.step('check')
  const d = opts.knownRunning ? { state: 'running' as const } : await ctx.tart.get(name, { signal: r.signal })
  if (d.state !== 'running') {
    throw new CalError('VM_NOT_RUNNING', `The VM "${name}" is not running${d.state === 'suspended' ? ' (it is already suspended)' : ''}.`, { cli: `Start it with \`cal start ${name}\`.`, app: 'Start it first.' }, { vm: name, state: d.state })
  }
  if (!hostCanSuspend()) {
    throw new CalError('INVALID_INPUT', `This Mac cannot suspend "${name}": saving a VM's memory needs macOS 14 or newer.`, { cli: `Stop it with \`cal stop ${name}\` instead; snapshots shut it down cleanly and start it again.`, app: 'Stop it instead; snapshots shut it down cleanly and start it again.' }, { vm: name })
  }
  const rec = await ctx.facts.getRun(name)
  if (!rec || !rec.suspendable || !(await ctx.supervisor.isOurRun(rec, name))) {
    throw new CalError('INVALID_INPUT', `CAL did not start "${name}" as a VM that can be suspended, so suspending it would power it off without saving.`, { cli: `Stop it with \`cal stop ${name}\` instead, or restart it with CAL first.`, app: 'Stop it instead, or restart it with Restart first.' }, { vm: name })
  }
  await assertRoomToSuspend(ctx, name, opts.spaceHint ?? freeSpaceHint({ cli: ` and try again, or stop the VM instead with \`cal stop ${name}\`.`, app: ' and try again, or stop the VM instead.' }))
  r.step('suspend')
  await markStopRequested(ctx, name)
  try {
    await ctx.tart.suspend(name, { signal: r.signal })
  } catch (err) {
    // Tart did not signal the run, so the VM runs on: a later crash must still be reported as one.
    await markStopRequested(ctx, name, false)
    throw err
  }
  const gone = await ctx.supervisor.waitExit(rec.pid, ctx.timing.suspendWaitMs, r.signal)
  // Tart's run prints "snapshot created successfully!" once state.vzvmsave is written; ask Tart only otherwise.
  const saved = gone && /snapshot created successfully/.test(await ctx.supervisor.logSince(rec.logPath))
  const after = saved ? { state: 'suspended' as const } : await ctx.tart.get(name)
  if (!gone || after.state !== 'suspended') {
    const log = await ctx.supervisor.logSince(rec.logPath)
    if (after.state === 'running') {
      await markStopRequested(ctx, name, false)
      throw new CalError('TART_FAILED', `"${name}" did not suspend within ${Math.round(ctx.timing.suspendWaitMs / 1000)} s.`, 'Try again, or stop it instead.', { vm: name, log: log.slice(-2000) })
    }
    await ctx.facts.removeRun(name)
    throw new CalError('VM_DIED', `"${name}" stopped instead of suspending: ${log.split('\n').pop() || 'no state was saved'}.`, { cli: `Start it again with \`cal start ${name}\`; its memory state is lost, its disk is intact.`, app: 'Start it again; its memory state is lost, its disk is intact.' }, { vm: name, log: log.slice(-2000) })
  }
  await ctx.facts.removeRun(name)
  r.log('memory state saved; starting the VM resumes it')
}

/**
 * Tart VMs left over for `name` with no record saying otherwise: snapshot clones whose record is missing (a crash
 * between clone and record, or a lost CAL_HOME) and a restore's scratch. A clone another workspace could own
 * ("dev.snap" owns "dev.snap.snap.x", which also starts with "dev.snap.") is left alone. The working VM a restore
 * parked (OLD) is a leftover only beside its VM (`withOld`): without it, it is the workspace itself.
 */
function unrecordedClones(name: string, present: Set<string>, facts: Map<string, unknown>, withOld: boolean): string[] {
  const prefix = snapshotTartName(name, '')
  const workspaces = [...present].filter((n) => n !== name && !isInternalName(n))
  return [...present].filter((n) => {
    if (n === restoreTempName(name) || (withOld && n === restoreOldName(name))) return true
    if (!n.startsWith(prefix) || facts.has(n)) return false
    return !workspaces.some((w) => n.startsWith(snapshotTartName(w, '')))
  })
}

/** The snapshot clones and restore leftovers that belong to VM `name` (by Tart name, with a label for the log). */
async function leftoversOf(ctx: VmContext, name: string, withOld: boolean): Promise<{ doomed: Map<string, string>; present: Set<string> }> {
  const [all, list] = await Promise.all([ctx.facts.all(), ctx.tart.list({ source: 'local' })])
  const present = new Set(localVms(list).map((e) => e.name))
  const doomed = new Map<string, string>()
  for (const [tartName, f] of all) {
    if (f.role === 'snapshot' && f.parent === name) doomed.set(tartName, `snapshot ${f.snapshotName ?? tartName}`)
  }
  for (const n of unrecordedClones(name, present, all, withOld)) doomed.set(n, n.includes('.snap.') ? `unrecorded snapshot clone ${n}` : `restore leftover ${n}`)
  return { doomed, present }
}

/**
 * Renames the working VM a restore parked at OLD back to `name`, when it is there and `name` is free: true if so. A
 * rename Tart refuses leaves everything as it was and says how to do it by hand.
 */
async function putBackParked(ctx: VmContext, name: string, r: Reporter): Promise<boolean> {
  const old = restoreOldName(name)
  const listed = new Set(localVms(await ctx.tart.list({ source: 'local' })).map((e) => e.name))
  if (!listed.has(old) || listed.has(name)) return false
  try {
    await ctx.tart.rename(old, name)
  } catch (err) {
    throw new CalError(
      'TART_FAILED',
      `"${name}" is parked as "${old}" by a restore that could not finish, and Tart could not rename it back: ${CalError.from(err).message.replace(/\.$/, '')}. Nothing was deleted.`,
      `Put it back with \`tart rename ${old} ${name}\`, then try again.`,
      { vm: name, parked: old },
    )
  }
  r.log(`${name} was parked as ${old} by a restore that could not finish: renamed back`)
  return true
}

/**
 * Deletes a VM, then every snapshot clone and restore leftover that belongs to it; the pristine cal-clean needs
 * `force`. The VM goes first: if Tart refuses it, its snapshots are still there to restore from. A clone Tart
 * refuses keeps its record (it stays listed, not orphaned) and the error names it.
 */
export async function deleteVm(ctx: VmContext, name: string, force: boolean, r: Reporter): Promise<void> {
  r.step('check')
  const facts = await ctx.facts.get(name)
  const found = () => ctx.tart.get(name, { signal: r.signal })
  const d = await found().catch(async (err: unknown) => {
    if (CalError.from(err).code !== 'VM_NOT_FOUND') throw err
    // Parked by a restore that could not finish: that is the workspace. Put back first (as CAL's start-up does), then
    // deleted as asked; never deleted as a leftover of a VM that is gone, as "Finish deleting" once did.
    if (await putBackParked(ctx, name, r)) return found()
    // Gone already, but its snapshots are still there: a delete that was interrupted after Tart deleted the VM
    // (cal killed, the Mac asleep). Deleting it again finishes the job, rather than "does not exist" for good.
    if ((await leftoversOf(ctx, name, false)).doomed.size === 0) throw err
    r.log(`${name} itself was deleted already: deleting what an interrupted delete left of it`)
    return null
  })
  const role = facts?.role ?? (name === 'cal-clean' ? 'clean' : 'workspace')
  if (d && role === 'clean' && !force) {
    throw new CalError('VM_PROTECTED', `"${name}" is the pristine base VM and is protected from deletion.`, { cli: `Delete it anyway with \`cal delete ${name} --force\`.`, app: 'Delete it anyway from its Delete sheet, which says what that removes.' }, { vm: name })
  }
  if (d && d.state !== 'stopped') {
    r.step('poweroff')
    await hardStop(ctx, name)
  }
  r.step('delete')
  if (d) await ctx.tart.delete(name)
  await ctx.facts.remove(name)
  await ctx.facts.removeRun(name)

  const { doomed, present } = await leftoversOf(ctx, name, d !== null)
  const failed: string[] = []
  for (const [tartName, label] of doomed) {
    if (present.has(tartName)) {
      try {
        await ctx.tart.delete(tartName)
      } catch (err) {
        const e = CalError.from(err)
        if (e.code !== 'VM_NOT_FOUND') {
          failed.push(tartName)
          r.log(`could not delete ${label}: ${e.message}`)
          continue
        }
      }
    }
    await ctx.facts.remove(tartName)
    r.log(`deleted ${label}`)
  }
  if (failed.length) {
    throw new CalError(
      'TART_FAILED',
      `"${name}" was deleted, but Tart could not delete ${failed.join(', ')}.`,
      // Through CAL, which forgets their records too: a `tart delete` left them behind as snapshots of nothing.
      {
        cli: `Finish the delete with \`cal delete ${name}\` (stop a running copy first with \`tart stop ${failed[0]}\`).`,
        app: 'Finish the delete with "Finish deleting…" in the sidebar (stop a running copy first).',
      },
      { vm: name, leftovers: failed },
    )
  }
}
