import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { followVmTask, reportDone } from '../vm-result'
import { askBeforePower } from '../power'

const RESTART = `Usage: cal restart NAME [--json]
  Stop cleanly, then start and wait for SSH. A stopped VM is just started (and cal says so). When programs still
  run in the VM's tmux sessions, names them and asks first on a terminal; without one, refuses (exit 6) unless --yes.`

export const restartCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, RESTART, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(RESTART + '\n'), 0
  const name = a.positionals[0] as string
  const before = await ctx.handlers['vms:get']({ name })
  const wasStopped = before.state === 'stopped'
  if (wasStopped) ctx.stderr(`${name} was stopped; starting it.\n`)
  else await askBeforePower(ctx, name, 'restart', before)
  const task = await followVmTask(ctx, name, () => ctx.handlers['vms:restart']({ name }))
  const vm = await ctx.handlers['vms:get']({ name })
  const where = vm.ip ?? 'an unknown address'
  return reportDone(ctx, name, task, wasStopped ? `${name} started; running at ${where}.` : `${name} restarted; running at ${where}.`)
}
