import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { printJson, table } from '../output'

const USAGE = `Usage: cal disk-usage [--json]
  Allocated size of each VM and of its snapshots, as Tart reports it, and the free space left.`

export const diskUsageCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, USAGE, { min: 0, max: 0 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  const u = await ctx.handlers['snapshots:diskUsage']({})
  if (ctx.json) return printJson(ctx, u), 0
  ctx.stdout(table(['VM', 'VM SIZE', 'SNAPSHOTS', 'SNAPSHOT SIZE', 'TOTAL'], u.vms.map((v) => [v.name, `${v.sizeGb} GB`, v.snapshotCount, `${v.snapshotsGb} GB`, `${v.sizeGb + v.snapshotsGb} GB`])))
  ctx.stdout(`\nTotal ${u.totalGb} GB${u.freeGb !== null ? `, ${u.freeGb} GB free` : ''}\n`)
  return 0
}
