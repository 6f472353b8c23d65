import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { alreadyIn, reportDone, reportUnchanged } from '../vm-result'
import { followTask } from '../task-runner'

const SUSPEND = `Usage: cal suspend NAME [--json]
  Save the VM's memory to disk and stop it; \`cal start NAME\` resumes where it was. A VM that is already
  suspended is no error: cal says so and exits 0.`

export const suspendCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, SUSPEND, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(SUSPEND + '\n'), 0
  const name = a.positionals[0] as string
  try {
    const task = await followTask(ctx, () => ctx.handlers['vms:suspend']({ name }))
    return await reportDone(ctx, name, task, `${name} is suspended. Resume it with \`cal start ${name}\`.`)
  } catch (err) {
    if (alreadyIn(err, 'suspended')) return reportUnchanged(ctx, name, `${name} is already suspended. Resume it with \`cal start ${name}\`.`)
    throw err
  }
}
