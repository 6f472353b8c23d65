import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { printJson, table } from '../output'

const USAGE = `Usage: cal list [--json]
  The workspace VMs with their state, resources and address (snapshots are listed by \`cal snapshot list\`).`

export const listCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, USAGE, { min: 0, max: 0 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  if (ctx.json) return printJson(ctx, await ctx.handlers['vms:list']({})), 0
  // Disk usage alongside (both read one `tart list`): it finds the snapshots a delete cut short left behind, which
  // belong to no listed VM and would otherwise take disk unseen. The list does not wait on it to fail.
  const [vms, usage] = await Promise.all([ctx.handlers['vms:list']({}), (async () => ctx.handlers['snapshots:diskUsage']({}))().catch(() => null)])
  if (vms.length === 0) ctx.stdout('No VMs yet. Create one with `cal create NAME`.\n')
  // The state alone: the error's text (a guest crash is a 200-character Virtualization.framework message) would
  // widen every row. A line under the table points to `cal status`, which says it and what to do.
  else ctx.stdout(table(['NAME', 'STATE', 'ROLE', 'CPU', 'MEMORY', 'DISK', 'SIZE', 'IP'], vms.map((v) => [v.name, v.state, v.role, v.cpu, `${v.memoryMb} MB`, `${v.diskGb} GB`, `${v.sizeGb} GB`, v.ip])))
  for (const v of vms.filter((x) => x.state === 'error')) ctx.stdout(`${v.name} is in an error state: \`cal status ${v.name}\` says why and what to do.\n`)
  for (const d of usage?.vms.filter((v) => v.deleted) ?? []) ctx.stdout(deletedNote(d) + '\n')
  return 0
}

/** What a delete cut short left of a VM, and how to finish it. */
export function deletedNote(d: { name: string; snapshotCount: number; snapshotsGb: number }): string {
  const what = d.snapshotCount === 1 ? '1 snapshot' : `${d.snapshotCount} snapshots`
  return `${d.name} was deleted, but the delete was cut short: ${what} of it (${d.snapshotsGb} GB) ${d.snapshotCount === 1 ? 'is' : 'are'} left. Run \`cal delete ${d.name}\` to finish.`
}
