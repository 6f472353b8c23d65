import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { printJson, table } from '../output'

const USAGE = `Usage: cal list [--json]
  The workspace VMs with their state, resources and address (snapshots are listed by \`cal snapshot list\`).`

export const listCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, USAGE, { min: 0, max: 0 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  const vms = await ctx.handlers['vms:list']({})
  if (ctx.json) return printJson(ctx, vms), 0
  if (vms.length === 0) {
    ctx.stdout('No VMs yet. Create one with `cal create NAME`.\n')
    return 0
  }
  ctx.stdout(table(['NAME', 'STATE', 'ROLE', 'CPU', 'MEMORY', 'DISK', 'SIZE', 'IP'], vms.map((v) => [v.name, v.error ? `${v.state} (${v.error})` : v.state, v.role, v.cpu, `${v.memoryMb} MB`, `${v.diskGb} GB`, `${v.sizeGb} GB`, v.ip])))
  return 0
}
