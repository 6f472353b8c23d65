import { CalError } from '../../shared/errors'
import type { VmInfo } from '../../shared/vm'
import type { VmFacts } from '../store/facts'
import { vmLimitError } from '../tart/errors'
import { localVms } from '../tart/parse'
import type { TartListEntry } from '../tart/types'
import type { VmContext } from './context'
import { defaultRole, isInternalName, parkedWorkingName } from './naming'
import { RUN_MARKER, isAlive } from './supervisor'
import { vmLockHeld } from './vm-lock'

export const MAC_VM_LIMIT = 2

/** A run CAL started whose process is gone without a stop request, and whose log shows an error. */
async function unexpectedStop(ctx: VmContext, name: string): Promise<string | null> {
  const rec = await ctx.facts.getRun(name)
  if (!rec || rec.stopRequested || isAlive(rec.pid)) return null
  const log = await ctx.supervisor.logSince(rec.logPath)
  const lines = log.split('\n').filter((l) => l.trim() && !l.startsWith(RUN_MARKER))
  const bad = lines.reverse().find((l) => /error|exceeds|failed|unexpected/i.test(l))
  // Shown as the VM's error and as a notification's body, whose title already says it stopped: say what is known.
  return bad ? bad.trim() : 'CAL did not ask it to stop, and its log names no error.'
}

/** A VM whose create was cut short past its clone (cal killed): it has the image's size, MAC address and serial. */
async function cutShort(ctx: VmContext, name: string, facts: VmFacts | undefined): Promise<string | null> {
  if (!facts?.incomplete || (await vmLockHeld(ctx.facts.paths.run, name))) return null
  return 'Its create was cut short: it may still have the image\'s size, MAC address and serial. Delete it and create it again.'
}

/**
 * A VM listed from where a restore parked it (see workspaceEntries), with no CAL process at work on it: the restore
 * could not finish its renames. Nothing can be done to it under its name until it is back.
 */
async function parkedBy(ctx: VmContext, name: string, entry: TartListEntry): Promise<string | null> {
  if (entry.name === name || (await vmLockHeld(ctx.facts.paths.run, name))) return null
  return `A restore could not finish: the VM is parked as "${entry.name}". CAL puts it back when it next starts; or run \`tart rename ${entry.name} ${name}\`.`
}

/**
 * When the newest session snapshot of `name` CAL has a record of was taken: what Roll back restores. Read from the
 * snapshots themselves, not kept beside the VM: a kept time outlived a deleted snapshot, and Roll back stayed offered.
 */
function lastSessionSnapshot(all: Map<string, VmFacts>, name: string): string | null {
  let at: string | null = null
  for (const f of all.values()) {
    if (f.role === 'snapshot' && f.parent === name && f.snapshotKind === 'session' && f.createdAt && (at === null || f.createdAt > at)) at = f.createdAt
  }
  return at
}

async function infoFor(ctx: VmContext, entry: TartListEntry, all: Map<string, VmFacts>, name = entry.name): Promise<VmInfo> {
  const facts = all.get(name)
  const d = await ctx.tart.get(entry.name).catch(() => null)
  const state = d?.state ?? entry.state
  const rec = state === 'running' ? await ctx.facts.getRun(entry.name) : null
  const error = (await parkedBy(ctx, name, entry)) ?? (await cutShort(ctx, name, facts)) ?? (state === 'stopped' ? await unexpectedStop(ctx, entry.name) : null)
  // A VM CAL did not start (or started before CAL's record) still has an address Tart can tell; so has one whose
  // start was ended before it recorded the address (a `cal start` killed while it waited for one): asked again.
  const recorded = rec && isAlive(rec.pid) ? rec.ip : null
  const ip = recorded ?? (state === 'running' ? await ctx.tart.ip(entry.name, { timeoutMs: 5_000 }).catch(() => null) : null)
  return {
    name,
    state: ctx.transient.get(name) ?? (error && error !== 'stopped unexpectedly' ? 'error' : state),
    role: facts?.role ?? defaultRole(entry.name),
    os: d?.os ?? 'darwin',
    cpu: d?.cpu ?? 0,
    memoryMb: d?.memoryMb ?? 0,
    diskGb: entry.diskGb,
    sizeGb: entry.sizeGb,
    display: d?.display ?? '',
    ip,
    baseImage: facts?.baseImage ?? null,
    agent: facts?.agent ?? null,
    createdAt: facts?.createdAt ?? null,
    startedAt: rec ? rec.startedAt : null,
    // As createSnapshot decides: a snapshot suspends only a run CAL started as suspendable.
    suspendable: !!rec?.suspendable && (await ctx.supervisor.isOurRun(rec, entry.name)),
    lastSessionSnapshotAt: lastSessionSnapshot(all, name),
    error,
  }
}

/**
 * Each workspace's Tart entry. While a restore swaps names, the working VM sits at OLD for a moment: it is listed
 * under its own name, so the VM never drops out of the list and a window's selection never jumps to another VM.
 */
function workspaceEntries(list: TartListEntry[]): Array<[string, TartListEntry]> {
  const local = localVms(list)
  const names = new Set(local.map((e) => e.name))
  const out: Array<[string, TartListEntry]> = []
  for (const e of local) {
    const parked = parkedWorkingName(e.name)
    if (parked && !names.has(parked)) out.push([parked, e])
    else if (!isInternalName(e.name)) out.push([e.name, e])
  }
  return out
}

/** Workspace VMs (not snapshot clones or restore scratch) with Tart's state and CAL's facts. */
export async function listVmInfos(ctx: VmContext, entries?: TartListEntry[], known?: Map<string, VmFacts>): Promise<VmInfo[]> {
  const [list, facts] = await Promise.all([entries ? Promise.resolve(entries) : ctx.tart.list({ source: 'local' }), known ?? ctx.facts.all()])
  const vms = workspaceEntries(list).filter(([name]) => facts.get(name)?.role !== 'snapshot')
  return Promise.all(vms.map(([name, e]) => infoFor(ctx, e, facts, name)))
}

/**
 * Running macOS VMs that listVmInfos leaves out: a snapshot's copy (or a restore's scratch copy) started by hand with
 * Tart. Apple's limit counts them, so the "N of 2 running" shown beside the list does too.
 */
export function unlistedRunning(list: TartListEntry[], facts: Map<string, VmFacts>): string[] {
  const listed = new Set(workspaceEntries(list).filter(([name]) => facts.get(name)?.role !== 'snapshot').map(([, e]) => e.name))
  return localVms(list)
    .filter((e) => e.state === 'running' && !listed.has(e.name) && facts.get(e.name)?.os !== 'linux')
    .map((e) => e.name)
    .sort()
}

export async function getVmInfo(ctx: VmContext, name: string): Promise<VmInfo> {
  const list = await ctx.tart.list({ source: 'local' })
  const entry = workspaceEntries(list).find(([shown]) => shown === name)?.[1]
  if (!entry) throw new CalError('VM_NOT_FOUND', `The VM "${name}" does not exist.`, { cli: 'Run `cal list` to see your VMs.', app: 'It may have been deleted or renamed outside CAL; the sidebar lists the VMs that exist.' }, { vm: name })
  return infoFor(ctx, entry, await ctx.facts.all(), name)
}

/** Names of running macOS VMs other than `except` (Apple allows two at once; Linux guests do not count). */
export async function runningMacVms(ctx: VmContext, except?: string): Promise<string[]> {
  const running = localVms(await ctx.tart.list({ source: 'local' })).filter((e) => e.state === 'running' && e.name !== except)
  const oses = await Promise.all(running.map(async (e) => ((await ctx.tart.get(e.name).catch(() => null))?.os ?? 'darwin') === 'darwin'))
  return running.filter((_, i) => oses[i]).map((e) => e.name)
}

/** The cheap half of the limit check: with fewer than two others running (one `tart list`), nothing more to ask. */
export async function fewOthersRunning(ctx: VmContext, name: string): Promise<boolean> {
  const running = localVms(await ctx.tart.list({ source: 'local' })).filter((e) => e.state === 'running' && e.name !== name)
  return running.length < MAC_VM_LIMIT
}

/** Refuses a third macOS VM up front, naming the two that run, instead of letting Tart fail after boot. */
export async function assertCapacity(ctx: VmContext, name: string): Promise<void> {
  const others = await runningMacVms(ctx, name)
  if (others.length >= MAC_VM_LIMIT) throw vmLimitError(others)
}
