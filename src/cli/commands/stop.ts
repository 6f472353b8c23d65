import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { alreadyIn, followVmTask, reportDone, reportUnchanged } from '../vm-result'
import { askBeforePower } from '../power'

const STOP = `Usage: cal stop NAME [--force|-f] [--json]
  Ask the guest OS to shut down, wait, then power off if it did not. --force powers off at once
  (and discards a suspended VM's saved state). When programs still run in the VM's tmux sessions, names them and
  asks first on a terminal; without one, refuses (exit 6) unless --yes. A VM that is already stopped is no error: cal says so and exits 0.`

export const stopCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, { force: { type: 'boolean', short: 'f' } }, STOP, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(STOP + '\n'), 0
  const name = a.positionals[0] as string
  await askBeforePower(ctx, name, 'stop')
  try {
    const task = await followVmTask(ctx, name, () => ctx.handlers['vms:stop']({ name, force: a.values.force === true }))
    return await reportDone(ctx, name, task, `${name} is stopped.`)
  } catch (err) {
    if (alreadyIn(err, 'stopped')) return reportUnchanged(ctx, name, `${name} is already stopped.`)
    throw err
  }
}
