import { CalError } from '../../shared/errors'
import { ImageRef, NAME_PATTERN } from '../../shared/names'
import type { AgentId, CreateVmInput } from '../../shared/vm'
import { assertFreeSpace, estimatePullBytes } from '../host/disk'
import { isImageCached, localVms } from '../tart/parse'
import type { Reporter, VmContext } from './context'
import { defaultRole, restoreOldName, validateName } from './naming'
import { withVmLock } from './vm-lock'

export const DEFAULT_IMAGE = 'ghcr.io/cirruslabs/macos-sequoia-base:latest'
/** Refuse a pull outright below this much free space, before Tart even says how big the image is. */
const MIN_FREE_FOR_PULL = 5e9

/** Pulls an image unless Tart has it cached, with percent progress and a disk-space check first. */
export async function pullImage(ctx: VmContext, image: string, r: Reporter): Promise<void> {
  const cached = isImageCached(await ctx.tart.list({ source: 'oci', signal: r.signal }), image)
  if (cached) {
    r.log(`${image} is already in Tart's cache`)
    return
  }
  await assertFreeSpace(ctx.tart.home, MIN_FREE_FOR_PULL, `pulling ${image}`, ctx.freeSpace)
  await ctx.tart.pull(image, {
    signal: r.signal,
    onLine: (line) => r.log(line),
    onProgress: (p) => r.progress?.(p.percent),
    beforeDisk: (gb) => assertFreeSpace(ctx.tart.home, estimatePullBytes(gb), `${image} (${gb} GB compressed)`, ctx.freeSpace),
  })
}

/**
 * FR-1: clone the image, set CPU / memory / disk, random MAC and serial. A VM that fails half-way is deleted (also
 * when CAL_HOME cannot record it: a full disk), so create either gives a complete VM or none. Never replaces an
 * existing VM.
 */
export async function createVm(ctx: VmContext, input: CreateVmInput, r: Reporter, opts: { /** Part of the create: its failure deletes the VM too (the engine re-pins the name's host key). */ beforeRecord?: () => Promise<void> } = {}): Promise<void> {
  const name = validateName(input.name, 'VM name')
  const defaults = ctx.settings().vmDefaults
  const image = input.image ?? defaults.baseImage ?? DEFAULT_IMAGE
  const isLocal = NAME_PATTERN.test(image)
  if (!isLocal && !ImageRef.safeParse(image).success) {
    throw new CalError('INVALID_INPUT', `"${image}" is neither a local VM nor an image reference.`, `Use e.g. ${DEFAULT_IMAGE}, or the name of a local VM such as cal-clean.`)
  }
  const existing = new Set(localVms(await ctx.tart.list({ source: 'local', signal: r.signal })).map((e) => e.name))
  if (existing.has(name)) {
    throw new CalError('VM_EXISTS', `A VM named "${name}" already exists.`, 'Pick another name, or delete the existing VM first.', { vm: name })
  }
  // macOS disks ignore case: Tart keeps "Dev" and "dev" in the same folder, so it would refuse the clone with
  // "already exists" about a VM the user cannot see by that name.
  const sameFolder = [...existing].find((e) => e.toLowerCase() === name.toLowerCase())
  if (sameFolder) {
    throw new CalError('VM_EXISTS', `A VM named "${sameFolder}" already exists, and names that differ only in case are the same VM on macOS.`, 'Pick another name.', { vm: name, existing: sameFolder })
  }
  // A delete cut short after Tart deleted the VM leaves its snapshots, recorded as the name's: a new VM under that
  // name would list them as its own, and restoring one would bring the deleted VM back in its place.
  const facts = await ctx.facts.all()
  const left = [...facts].filter(([tartName, f]) => f.role === 'snapshot' && f.parent === name && existing.has(tartName)).length
  if (left > 0) {
    throw new CalError(
      'VM_EXISTS',
      `"${name}" was deleted, but the delete was cut short: ${left === 1 ? '1 snapshot' : `${left} snapshots`} of it ${left === 1 ? 'is' : 'are'} left, which a new "${name}" would take for its own.`,
      { cli: `Finish that delete first (\`cal delete ${name}\`), or pick another name.`, app: `Finish that delete first ("Finish deleting…" in the sidebar), or pick another name.` },
      { vm: name },
    )
  }
  // A restore interrupted between its two renames parks the working VM at OLD: the name is still that VM's, and a new
  // VM under it would make OLD look like garbage that the next restore or delete of the new VM removes unasked.
  const parked = restoreOldName(name)
  if (existing.has(parked)) {
    throw new CalError(
      'VM_EXISTS',
      `A VM named "${name}" already exists: an interrupted restore left it parked as "${parked}".`,
      {
        cli: `CAL puts it back when it next starts (run \`cal list\`), or put it back yourself with \`tart rename ${parked} ${name}\`.`,
        app: `Quit and reopen CAL to have it put back, or put it back yourself with \`tart rename ${parked} ${name}\`.`,
      },
      { vm: name, parkedAs: parked },
    )
  }

  const record = { role: defaultRole(name), createdAt: null, baseImage: image, agent: (input.agent ?? null) as AgentId | null, os: null }
  r.step('pull')
  if (isLocal) r.log(`cloning the local VM ${image}`)
  else await pullImage(ctx, image, r)

  r.step('clone')
  // Marked unfinished until its last step: a create killed past the clone (no chance to clean up) leaves a VM
  // with the image's size, MAC address and serial, which would otherwise pass for a finished one.
  await ctx.facts.put(name, { ...record, incomplete: true })
  const clone = () =>
    ctx.tart.clone(image, name, { signal: r.signal }).catch((err: unknown) => {
      // A local source that is not there: "the VM does not exist" would read as if the new VM were the problem.
      const e = CalError.from(err)
      if (isLocal && e.code === 'VM_NOT_FOUND' && e.details?.vm === image) {
        throw new CalError('IMAGE_NOT_FOUND', `There is no VM named "${image}" on this Mac to create ${name} from.`, { cli: `Name a VM that \`cal list\` shows, or an image such as ${DEFAULT_IMAGE}.`, app: `Name a VM from the sidebar, or an image such as ${DEFAULT_IMAGE}.` }, { ...e.details, vm: name, image })
      }
      throw err
    })
  // A local source is held as any operation on it is (a restore renames it away, a delete removes it meanwhile), and
  // must not run: a copy of a running VM's disk is not consistent.
  const cloneStopped = async () => {
    const source = await ctx.tart.get(image, { signal: r.signal }).catch(() => null)
    if (source?.state === 'running') {
      throw new CalError('VM_ALREADY_RUNNING', `"${image}" is running: a copy of a running VM's disk is not consistent, so ${name} was not created from it.`, { cli: `Stop it first (\`cal stop ${image}\`), then create ${name} again.`, app: `Stop ${image} first, then create ${name} again.` }, { vm: image })
    }
    await clone()
  }
  try {
    if (isLocal) await ctx.locks.run(image, () => withVmLock(ctx.facts.paths.run, image, `Create ${name} from ${image}`, cloneStopped))
    else await clone()
  } catch (err) {
    await ctx.facts.remove(name).catch(() => {})
    throw err
  }
  try {
    r.step('configure')
    const d = await ctx.tart.get(name, { signal: r.signal })
    const want = { cpu: input.cpu ?? defaults.cpu, memoryMb: input.memoryMb ?? defaults.memoryMb, diskGb: input.diskGb ?? defaults.diskGb }
    if (want.diskGb < d.diskGb) r.log(`the image's disk is ${d.diskGb} GB; Tart cannot shrink it, so it stays at ${d.diskGb} GB`)
    await ctx.tart.set(
      name,
      {
        cpu: want.cpu,
        memoryMb: want.memoryMb,
        diskGb: want.diskGb > d.diskGb ? want.diskGb : undefined,
        randomMac: true,
        randomSerial: d.os === 'darwin',
      },
      { signal: r.signal },
    )
    r.log(`${want.cpu} CPU, ${want.memoryMb} MB memory, ${Math.max(want.diskGb, d.diskGb)} GB disk, new MAC address${d.os === 'darwin' ? ' and serial' : ''}`)
    await opts.beforeRecord?.()
    await ctx.facts.put(name, { ...record, createdAt: new Date().toISOString(), os: d.os })
  } catch (err) {
    r.log(`removing the half-made VM ${name}`)
    await ctx.tart.delete(name).catch(() => {})
    await ctx.facts.remove(name).catch(() => {})
    throw err
  }
}
