import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { reportDone } from '../vm-result'
import { followTask } from '../task-runner'

const SUSPEND = `Usage: cal suspend NAME [--json]
  Save the VM's memory to disk and stop it; \`cal start NAME\` resumes where it was.`

export const suspendCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, SUSPEND, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(SUSPEND + '\n'), 0
  const name = a.positionals[0] as string
  const task = await followTask(ctx, () => ctx.handlers['vms:suspend']({ name }))
  return reportDone(ctx, name, task, `${name} is suspended. Resume it with \`cal start ${name}\`.`)
}
