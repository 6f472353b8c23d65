import { CalError } from '../shared/errors'
import { ASK_WITHIN_MS, busyWithin, powerQuestion, snapshotShutsDown, type PowerAction } from '../shared/power-question'
import type { VmInfo } from '../shared/vm'
import type { CliContext } from './context'

/**
 * `cal stop`, `cal restart`, and `cal snapshot create` of a running VM that cannot be suspended (the snapshot shuts it
 * down) on a terminal: when programs still run in the VM's tmux sessions (an agent mid-task, a build), name them and
 * ask first, as the app and the tray do. With --yes, or when the VM cannot say within ASK_WITHIN_MS, it goes ahead
 * as before; without a terminal (scripts) too, but it names on stderr the programs it ends, which it did in silence.
 * `known`: the VM as the caller just read it.
 */
export async function askBeforePower(ctx: CliContext, name: string, action: PowerAction, known?: VmInfo): Promise<void> {
  if (ctx.yes) return
  const vm = known ?? (await ctx.handlers['vms:get']({ name }))
  if (action === 'snapshot' ? !snapshotShutsDown(vm) : vm.state !== 'running') return
  const question = powerQuestion(name, action, await busyWithin(() => ctx.handlers['terminal:sessions']({ name }), ASK_WITHIN_MS))
  if (!question) return
  const context = [`warning: ${question.title}`, ...question.running.map((line) => `  - ${line}`), question.consequence].map((l) => `${l}\n`).join('')
  ctx.stderr(context)
  if (!ctx.canAsk) return
  if (!(await ctx.confirm(`${question.confirm} anyway?`, context))) {
    throw new CalError('CANCELLED', `${action === 'snapshot' ? 'No snapshot was taken: ' : ''}${name} was left running; nothing was changed.`)
  }
}
