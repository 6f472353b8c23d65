import { CalError } from '../shared/errors'
import { ASK_WITHIN_MS, busyWithin, powerQuestion, snapshotShutsDown, type PowerAction } from '../shared/power-question'
import type { VmInfo } from '../shared/vm'
import type { CliContext } from './context'

/** The sentence every destructive verb ends its refusal with when no one can be asked (see withConfirmation). */
export const ONLY_WITH_YES = 'Without a terminal, CAL only proceeds with --yes.'

/** The hint of a refusal for want of --yes: what --yes does (`to` it), then the rule. */
export function passYes(to: string): string {
  return `Pass --yes to ${to}. ${ONLY_WITH_YES}`
}

/**
 * `cal stop`, `cal restart`, and `cal snapshot create` of a running VM that cannot be suspended (the snapshot shuts it
 * down) on a terminal: when programs still run in the VM's tmux sessions (an agent mid-task, a build), name them and
 * ask first, as the app and the tray do. Without a terminal (a script), refuse as delete and restore do with work at
 * risk (exit 6), naming the programs: a script that has not said --yes must not end an agent's session. With --yes,
 * or when the VM cannot say within ASK_WITHIN_MS, it goes ahead. `known`: the VM as the caller just read it.
 */
export async function askBeforePower(ctx: CliContext, name: string, action: PowerAction, known?: VmInfo): Promise<void> {
  if (ctx.yes) return
  const vm = known ?? (await ctx.handlers['vms:get']({ name }))
  if (action === 'snapshot' ? !snapshotShutsDown(vm) : vm.state !== 'running') return
  const question = powerQuestion(name, action, await busyWithin(() => ctx.handlers['terminal:sessions']({ name }), ASK_WITHIN_MS))
  if (!question) return
  if (!ctx.canAsk) {
    // Worded as the git check's refusal is: the message ends with what would be lost, which printError lists line by
    // line (details.report.summary), and --json keeps in one line.
    const doing = { stop: `Stopping ${name}`, restart: `Restarting ${name}`, snapshot: `A snapshot of ${name}` }[action]
    const what = question.running.length === 1 ? 'the program' : `${question.running.length} programs`
    throw new CalError(
      'CONFIRMATION_REQUIRED',
      `${doing} would end ${what} still running in it: ${question.running.join('; ')}.`,
      `${question.consequence} ${passYes(`${question.confirm.toLowerCase()} anyway`)}`,
      { vm: name, action, running: question.running, report: { summary: question.running } },
    )
  }
  const context = [`warning: ${question.title}`, ...question.running.map((line) => `  - ${line}`), question.consequence].map((l) => `${l}\n`).join('')
  ctx.stderr(context)
  if (!(await ctx.confirm(`${question.confirm} anyway?`, context))) {
    throw new CalError('CANCELLED', `${action === 'snapshot' ? 'No snapshot was taken: ' : ''}${name} was left running; nothing was changed.`)
  }
}
