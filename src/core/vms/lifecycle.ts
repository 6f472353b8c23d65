import { mkdir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { CalError } from '../../shared/errors'
import { shellJoin } from '../ssh/quote'
import { mapTartFailure } from '../tart/errors'
import { localVms } from '../tart/parse'
import type { TartState } from '../tart/types'
import type { Reporter, VmContext } from './context'
import { assertCapacity, fewOthersRunning, MAC_VM_LIMIT } from './inventory'
import { sleep, type RunExit } from './supervisor'

function assertNotRunning(d: KnownVm, name: string): void {
  if (d.state === 'running') {
    throw new CalError('VM_ALREADY_RUNNING', `The VM "${name}" is already running.`, `Connect with \`cal ssh ${name}\`, or stop it first with \`cal stop ${name}\`.`, { vm: name })
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
  return new CalError('VM_DIED', `The VM "${name}" stopped while starting${text ? `: ${text.split('\n').pop()}` : ''}.`, `See the log at ${logPath}.`, { vm: name, log: text.slice(-2000), exitCode: exit.code })
}

/** Rejects when the run process ends: raced against every wait during start so a dead VM fails fast. */
function whenEnded(ctx: VmContext, name: string, run: { exited: Promise<RunExit>; logPath: string; logOffset: number }): Promise<never> {
  return run.exited.then(async (exit) => {
    throw await runEndedError(ctx, name, run.logPath, run.logOffset, exit)
  })
}

/**
 * Headless start: `tart run --no-graphics` detached and supervised, then `tart ip --wait`, then a real SSH banner.
 * macOS guests run with --suspendable so snapshots can pause them without losing the agent's work.
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
      if (!entry) throw new CalError('VM_NOT_FOUND', `The VM "${name}" does not exist.`, 'Run `cal list` to see your VMs.', { vm: name })
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
    await mkdir(dir, { recursive: true })
    dirs.push(`cal-output:${dir}`)
    r.log(`sharing ${dir} with the VM (read-write)`)
  }
  if (d.state === 'suspended') r.log('resuming from the saved state')
  const run = await ctx.supervisor.spawn(name, { noGraphics: true, suspendable: d.os === 'darwin', dirs })
  r.log(`tart run started (pid ${run.pid}), log: ${run.logPath}`)
  const ended = whenEnded(ctx, name, run)
  ended.catch(() => {})
  try {
    r.step('ip')
    const ip = await Promise.race([ctx.tart.ip(name, { waitSeconds: ctx.timing.ipWaitSeconds, signal: r.signal }), ended])
    r.log(`IP address ${ip}`)
    const rec = await ctx.facts.getRun(name)
    if (rec) await ctx.facts.putRun(name, { ...rec, ip })

    r.step('ssh')
    const banner = await Promise.race([ctx.waitForSsh(ip, 22, { timeoutMs: ctx.timing.sshWaitMs, signal: r.signal }), ended])
    r.log(`SSH ready (${banner})`)
    return { ip }
  } catch (err) {
    // A cancelled start must not leave a VM half-booted behind the user's back.
    if (r.signal?.aborted) await hardStop(ctx, name).catch(() => {})
    throw err
  }
}

async function markStopRequested(ctx: VmContext, name: string): Promise<void> {
  const rec = await ctx.facts.getRun(name)
  if (rec) await ctx.facts.putRun(name, { ...rec, stopRequested: true })
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
 * Clean stop: ask the guest OS to shut down, wait, then `tart stop` if it did not. The request is SIGUSR2 to the
 * `tart run` CAL started (Tart's own "Requesting guest OS to stop..."); for a VM started outside CAL there is no
 * PID CAL can trust, so it asks over SSH (`sudo shutdown -h now`). `force` powers off at once.
 */
export async function stopVm(ctx: VmContext, name: string, force: boolean, r: Reporter): Promise<void> {
  r.step('check')
  const d = await ctx.tart.get(name, { signal: r.signal })
  if (d.state === 'stopped') {
    await ctx.facts.removeRun(name)
    throw new CalError('VM_NOT_RUNNING', `The VM "${name}" is not running.`, `Start it with \`cal start ${name}\`.`, { vm: name })
  }
  if (d.state === 'suspended') {
    if (!force) {
      throw new CalError('VM_NOT_RUNNING', `The VM "${name}" is suspended; stopping it would discard its saved memory state.`, `Resume it with \`cal start ${name}\`, or discard the state with \`cal stop ${name} --force\`.`, { vm: name })
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
      process.kill(rec.pid, 'SIGUSR2')
      asked = true
      r.log('asked the guest OS to shut down')
    } else {
      const res = await ctx.exec(name, shellJoin(['sudo', '-n', 'shutdown', '-h', 'now']), { timeoutMs: 10_000, signal: r.signal }).catch((e: unknown) => ({ code: -1, stdout: '', stderr: String(e) }))
      asked = res.code === 0
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

/**
 * Suspend saves memory to state.vzvmsave and ends `tart run`. Only safe for a run CAL started with --suspendable:
 * Tart's SIGUSR1 on any other run kills the VM without saving anything.
 */
export async function suspendVm(ctx: VmContext, name: string, r: Reporter, knownRunning = false): Promise<void> {
  r.step('check')
  const d = knownRunning ? { state: 'running' as const } : await ctx.tart.get(name, { signal: r.signal })
  if (d.state !== 'running') {
    throw new CalError('VM_NOT_RUNNING', `The VM "${name}" is not running${d.state === 'suspended' ? ' (it is already suspended)' : ''}.`, `Start it with \`cal start ${name}\`.`, { vm: name })
  }
  const rec = await ctx.facts.getRun(name)
  if (!rec || !rec.suspendable || !(await ctx.supervisor.isOurRun(rec, name))) {
    throw new CalError('INVALID_INPUT', `"${name}" was not started by CAL with --suspendable, so suspending it would power it off without saving.`, `Stop it with \`cal stop ${name}\` instead, or restart it with CAL first.`, { vm: name })
  }
  r.step('suspend')
  await markStopRequested(ctx, name)
  await ctx.tart.suspend(name, { signal: r.signal })
  const gone = await ctx.supervisor.waitExit(rec.pid, ctx.timing.suspendWaitMs, r.signal)
  // Tart's run prints "snapshot created successfully!" once state.vzvmsave is written; ask Tart only otherwise.
  const saved = gone && /snapshot created successfully/.test(await ctx.supervisor.logSince(rec.logPath))
  const after = saved ? { state: 'suspended' as const } : await ctx.tart.get(name)
  if (!gone || after.state !== 'suspended') {
    const log = await ctx.supervisor.logSince(rec.logPath)
    if (after.state === 'running') throw new CalError('TART_FAILED', `"${name}" did not suspend within ${Math.round(ctx.timing.suspendWaitMs / 1000)} s.`, 'Try again, or stop it instead.', { vm: name, log: log.slice(-2000) })
    await ctx.facts.removeRun(name)
    throw new CalError('VM_DIED', `"${name}" stopped instead of suspending: ${log.split('\n').pop() || 'no state was saved'}.`, `Start it again with \`cal start ${name}\`; its memory state is lost, its disk is intact.`, { vm: name, log: log.slice(-2000) })
  }
  await ctx.facts.removeRun(name)
  r.log('memory state saved; `cal start` resumes it')
}

/** Deletes a VM and every snapshot clone that belongs to it; the pristine cal-clean needs `force`. */
export async function deleteVm(ctx: VmContext, name: string, force: boolean, r: Reporter): Promise<void> {
  r.step('check')
  const facts = await ctx.facts.get(name)
  const d = await ctx.tart.get(name, { signal: r.signal })
  const role = facts?.role ?? (name === 'cal-clean' ? 'clean' : 'workspace')
  if (role === 'clean' && !force) {
    throw new CalError('VM_PROTECTED', `"${name}" is the pristine base VM and is protected from deletion.`, `Delete it anyway with \`cal delete ${name} --force\`.`, { vm: name })
  }
  if (d.state !== 'stopped') {
    r.step('poweroff')
    await hardStop(ctx, name)
  }
  r.step('delete')
  const all = await ctx.facts.all()
  for (const [tartName, f] of all) {
    if (f.role === 'snapshot' && f.parent === name) {
      await ctx.tart.delete(tartName).catch((e: unknown) => {
        if (!(e instanceof CalError && e.code === 'VM_NOT_FOUND')) throw e
      })
      await ctx.facts.remove(tartName)
      r.log(`deleted snapshot ${f.snapshotName ?? tartName}`)
    }
  }
  await ctx.tart.delete(name)
  await ctx.facts.remove(name)
  await ctx.facts.removeRun(name)
}
