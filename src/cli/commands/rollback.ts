import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { printJson } from '../output'
import { followTask, withConfirmation } from '../task-runner'

const USAGE = `Usage: cal rollback NAME [--yes] [--json]
  Restore the VM to its latest session-start snapshot, after the git safety check.`

export const rollbackCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, USAGE, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  const vm = a.positionals[0] as string
  const task = await withConfirmation(ctx, (confirmed, checkedAt) => followTask(ctx, () => ctx.handlers['snapshots:rollback']({ vm, confirmed, checkedAt })))
  if (ctx.json) return printJson(ctx, { ok: true, task }), 0
  // The engine names the snapshot it chose in the task's title ("Roll dev back to session-…").
  const to = / back to (\S+)$/.exec(task.title)?.[1]
  ctx.stdout(`${vm} rolled back to ${to ? `snapshot ${to}` : 'its latest session-start snapshot'}.\n`)
  return 0
}
