import { CalError } from '../shared/errors'
import type { Task } from '../shared/task'
import type { VmInfo } from '../shared/vm'
import type { CliContext } from './context'
import { printJson } from './output'
import { followTask } from './task-runner'

/** The closing line of a lifecycle verb: a sentence, or with --json the finished task and the VM. */
export async function reportDone(ctx: CliContext, name: string, task: unknown, text: string): Promise<number> {
  if (ctx.json) printJson(ctx, { ok: true, task, vm: await ctx.handlers['vms:get']({ name }).catch(() => null) })
  else ctx.stdout(text + '\n')
  return 0
}

/**
 * Whether the engine refused because the VM is already in the state asked for (a stop of a stopped VM, a start of a
 * running one, a suspend of a suspended one): for a script that is success, not a conflict.
 */
export function alreadyIn(err: unknown, state: VmInfo['state']): boolean {
  return err instanceof CalError && (err.code === 'VM_NOT_RUNNING' || err.code === 'VM_ALREADY_RUNNING') && err.details?.state === state
}

/** The closing line when nothing had to be done: exit 0, and with --json the same shape as reportDone (no task). */
export async function reportUnchanged(ctx: CliContext, name: string, text: string): Promise<number> {
  if (ctx.json) printJson(ctx, { ok: true, task: null, unchanged: true, vm: await ctx.handlers['vms:get']({ name }).catch(() => null) })
  else ctx.stdout(text + '\n')
  return 0
}

/**
 * followTask for start, stop and restart: a cancelled one (Ctrl+C) says which state the VM was left in, since that
 * depends on when it was cancelled (a cancelled start stops the VM again; a resume, once begun, goes on).
 */
export async function followVmTask(ctx: CliContext, name: string, start: () => Promise<{ taskId: string }>): Promise<Task> {
  try {
    return await followTask(ctx, start)
  } catch (err) {
    if (!(err instanceof CalError) || err.code !== 'CANCELLED') throw err
    const vm = await ctx.handlers['vms:get']({ name }).catch(() => null)
    const { state, hint } = leftIn(name, vm)
    throw new CalError('CANCELLED', `${err.message.replace(/\.$/, '')}; ${state}.`, hint, { ...err.details, vm: name, state: vm?.state ?? null })
  }
}

function leftIn(name: string, vm: VmInfo | null): { state: string; hint: string } {
  if (!vm) return { state: `CAL could not read the state of ${name}`, hint: `See it with \`cal status ${name}\`.` }
  switch (vm.state) {
    case 'stopped':
      return { state: `${name} was left stopped`, hint: `Start it with \`cal start ${name}\`.` }
    case 'suspended':
      return { state: `${name} was left suspended`, hint: `\`cal start ${name}\` resumes it.` }
    case 'running':
      return { state: `${name} is running${vm.ip ? ` at ${vm.ip}` : ''}`, hint: `Stop it with \`cal stop ${name}\`, or use it: \`cal ssh ${name}\`.` }
    default:
      return { state: `${name} is ${vm.state}`, hint: `See how it ends with \`cal status ${name}\`.` }
  }
}
