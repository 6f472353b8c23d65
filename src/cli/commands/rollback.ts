import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { followRestore } from '../restore-result'
import { withConfirmation } from '../task-runner'

const USAGE = `Usage: cal rollback NAME [--yes] [--json]
  Restore the VM to its latest session-start snapshot, after the git safety check.`

export const rollbackCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, USAGE, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  const vm = a.positionals[0] as string
  return withConfirmation(ctx, (confirmed, checkedAt) =>
    followRestore(ctx, () => ctx.handlers['snapshots:rollback']({ vm, confirmed, checkedAt }), (snapshot) => `${vm} rolled back to snapshot ${snapshot}.`),
  )
}
