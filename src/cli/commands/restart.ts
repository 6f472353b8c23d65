import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { reportDone } from '../vm-result'
import { followTask } from '../task-runner'
import { askBeforePower } from '../power'

const RESTART = `Usage: cal restart NAME [--json]
  Stop cleanly, then start and wait for SSH. On a terminal, asks first when programs still run in the VM's tmux
  sessions (--yes does not ask).`

export const restartCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, RESTART, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(RESTART + '\n'), 0
  const name = a.positionals[0] as string
  await askBeforePower(ctx, name, 'restart')
  const task = await followTask(ctx, () => ctx.handlers['vms:restart']({ name }))
  const vm = await ctx.handlers['vms:get']({ name })
  return reportDone(ctx, name, task, `${name} restarted; running at ${vm.ip ?? 'an unknown address'}.`)
}
