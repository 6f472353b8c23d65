import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { printJson } from '../output'
import { followTask, withConfirmation } from '../task-runner'

const DELETE = `Usage: cal delete NAME [--force|-f] [--yes] [--json]
  Delete the VM and its snapshots, after the git safety check. --force is needed for the pristine cal-clean VM.`

export const deleteCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, { force: { type: 'boolean', short: 'f' } }, DELETE, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(DELETE + '\n'), 0
  const name = a.positionals[0] as string
  const task = await withConfirmation(ctx, (confirmed, checkedAt) => followTask(ctx, () => ctx.handlers['vms:delete']({ name, force: a.values.force === true, confirmed, checkedAt })))
  if (ctx.json) printJson(ctx, { ok: true, task })
  else ctx.stdout(`Deleted ${name}.\n`)
  return 0
}
