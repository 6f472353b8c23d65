import { CalError } from '../../shared/errors'
import type { DiskUsage } from '../../shared/snapshot'
import { validateName } from '../../core/vms/naming'
import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { localStamp, printJson, table } from '../output'
import { deletedNote } from './list'

const USAGE = `Usage: cal disk-usage [NAME] [--json]
  Allocated size of each VM and of its snapshots, as Tart reports it, and the free space left. With NAME, that VM
  and each of its snapshots.`

export const diskUsageCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, USAGE, { min: 0, max: 1 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  const name = a.positionals[0]
  // A name no VM can have is a mistake in the name (exit 2), as for every other verb, not a VM that is missing.
  if (name !== undefined) validateName(name, 'VM name')
  const u = await ctx.handlers['snapshots:diskUsage']({})
  const free = u.freeGb !== null ? `, ${u.freeGb} GB free` : ''
  if (name !== undefined) {
    const vm = u.vms.find((v) => v.name === name)
    if (!vm) throw new CalError('VM_NOT_FOUND', `The VM "${name}" does not exist.`, 'Run `cal list` to see your VMs.', { vm: name })
    const snapshots = await ctx.handlers['snapshots:list']({ vm: name })
    if (ctx.json) return printJson(ctx, { vm, snapshots, freeGb: u.freeGb }), 0
    const rows = [[vm.name, vm.deleted ? 'VM (deleted)' : 'VM', '', vm.deleted ? '' : `${vm.sizeGb} GB`], ...snapshots.map((s) => [s.name, `${s.kind} snapshot`, localStamp(s.createdAt), `${s.sizeGb} GB`])]
    ctx.stdout(table(['NAME', 'WHAT', 'TAKEN', 'SIZE'], rows))
    ctx.stdout(`\n${name}: ${vm.sizeGb + vm.snapshotsGb + vm.leftoverGb} GB with ${vm.snapshotCount === 1 ? '1 snapshot' : `${vm.snapshotCount} snapshots`}${free}\n`)
    leftovers(ctx, [vm])
    return 0
  }
  if (ctx.json) return printJson(ctx, u), 0
  ctx.stdout(table(['VM', 'VM SIZE', 'SNAPSHOTS', 'SNAPSHOT SIZE', 'TOTAL'], u.vms.map((v) => [v.name, v.deleted ? 'deleted' : `${v.sizeGb} GB`, v.snapshotCount, `${v.snapshotsGb} GB`, `${v.sizeGb + v.snapshotsGb} GB`])))
  ctx.stdout(`\nTotal ${u.totalGb} GB${free}\n`)
  leftovers(ctx, u.vms)
  return 0
}

/** Disk a restore left beside a VM (counted in the total, not in the table's columns) and a delete cut short, said apart. */
function leftovers(ctx: Parameters<CliCommand>[1], vms: DiskUsage['vms']): void {
  for (const v of vms.filter((x) => x.deleted)) ctx.stdout(deletedNote(v) + '\n')
  for (const v of vms.filter((x) => x.leftoverGb > 0)) {
    ctx.stdout(`${v.name}: ${v.leftoverGb} GB left by a restore (its copy from before it, or a clone under way); ${v.name}'s next restore removes it.\n`)
  }
}
