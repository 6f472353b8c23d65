import { CalError } from '../../shared/errors'
import type { CliCommand, CliContext } from '../context'
import { parseVerb } from '../args'
import { printJson } from '../output'
import { followTask, withConfirmation } from '../task-runner'
import { passYes } from '../power'

const DELETE = `Usage: cal delete NAME [--force|-f] [--yes] [--json]
  Delete the VM and its snapshots, after the git safety check. On a terminal, asks first; without one, needs --yes.
  --force is needed for the pristine cal-clean VM.`

export const deleteCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, { force: { type: 'boolean', short: 'f' } }, DELETE, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(DELETE + '\n'), 0
  const name = a.positionals[0] as string
  if (!ctx.yes) await askFirst(ctx, name)
  const task = await withConfirmation(ctx, (confirmed, checkedAt) => followTask(ctx, () => ctx.handlers['vms:delete']({ name, force: a.values.force === true, confirmed, checkedAt })))
  if (ctx.json) printJson(ctx, { ok: true, task })
  else ctx.stdout(`Deleted ${name}.\n`)
  return 0
}

/**
 * As the app does, a person at a terminal is asked first, told which snapshots go with the VM: they are not part of
 * the git safety check, and may hold the only copy of some work. Without a terminal, the same delete is refused
 * unless --yes said yes to it (exit 6, as a restore with work at risk is). A VM that is not there is not asked about:
 * the delete says so, or finishes one that was cut short (`cal list` said how).
 * Without a terminal, a VM whose git check is not clean is left to the engine, which refuses with its report.
 */
async function askFirst(ctx: CliContext, name: string): Promise<void> {
  const snapshots = await ctx.handlers['snapshots:list']({ vm: name }).catch(() => null)
  if (!snapshots) return
  const gb = Math.round(snapshots.reduce((sum, s) => sum + s.sizeGb, 0) * 10) / 10
  const names = snapshots.map((s) => s.name).join(', ')
  const what = snapshots.length === 0 ? 'It has no snapshots.' : `${snapshots.length === 1 ? 'Its snapshot goes' : `Its ${snapshots.length} snapshots go`} with it: ${names} (${gb} GB).`
  if (!ctx.canAsk) {
    // Work at risk, or a VM the check cannot reach (stopped, SSH down): the engine refuses the delete itself, with
    // the report; that says more than this refusal would.
    const report = await ctx.handlers['git:check']({ name }).catch(() => null)
    if (!report?.clean) return
    throw new CalError('CONFIRMATION_REQUIRED', `Deleting ${name} needs a confirmation: it is deleted for good, with its disk. ${what}`, passYes(`delete ${name}`), { vm: name, action: 'delete' })
  }
  const context = `warning: ${name} is deleted for good, with its disk. ${what}\n`
  ctx.stderr(context)
  if (!(await ctx.confirm(`Delete ${name}?`, context))) throw new CalError('CANCELLED', `${name} was kept; nothing was changed.`)
}
