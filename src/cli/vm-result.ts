import type { CliContext } from './context'
import { printJson } from './output'

/** The closing line of a lifecycle verb: a sentence, or with --json the finished task and the VM. */
export async function reportDone(ctx: CliContext, name: string, task: unknown, text: string): Promise<number> {
  if (ctx.json) printJson(ctx, { ok: true, task, vm: await ctx.handlers['vms:get']({ name }).catch(() => null) })
  else ctx.stdout(text + '\n')
  return 0
}
