import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { alreadyIn, followVmTask, reportDone, reportUnchanged } from '../vm-result'

const START = `Usage: cal start NAME [--json]
  Start the VM headless (a suspended VM resumes), wait for its IP and for SSH. It keeps running after cal exits.
  Refused up front when two macOS VMs already run. Ctrl+C cancels, stops the VM again and says so (a resume,
  once begun, goes on). A VM that is already running is no error: cal says so, with its address, and exits 0.`

export const startCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, START, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(START + '\n'), 0
  const name = a.positionals[0] as string
  try {
    const task = await followVmTask(ctx, name, () => ctx.handlers['vms:start']({ name }))
    const vm = await ctx.handlers['vms:get']({ name })
    return await reportDone(ctx, name, task, `${name} is running at ${vm.ip ?? 'an unknown address'}; SSH is ready.`)
  } catch (err) {
    if (!alreadyIn(err, 'running')) throw err
    const vm = await ctx.handlers['vms:get']({ name }).catch(() => null)
    // Running without an address (a boot that timed out waiting for one): say so, rather than "running" and nothing more.
    const where = !vm ? '' : vm.ip ? ` at ${vm.ip}` : ', but has no IP address yet: it may still be booting. If it gets none, `cal restart` it'
    return reportUnchanged(ctx, name, `${name} is already running${where}.`)
  }
}
