import type { CliCommand } from '../context'
import { VM_RESOURCES } from '../../shared/vm'
import { agentOption, parseVerb, wholeNumberOption } from '../args'
import { printJson } from '../output'
import { followTask } from '../task-runner'

const { cpu, memoryMb, diskGb } = VM_RESOURCES

const USAGE = `Usage: cal create NAME [--image IMAGE] [--cpu N] [--memory MB] [--disk GB] [--agent AGENT] [--json]
  Clone a new workspace VM from an image (default ghcr.io/cirruslabs/macos-sequoia-base:latest) or a local VM,
  with its own MAC address and serial. Defaults: 4 CPU, 8192 MB, 80 GB (from settings); allowed: --cpu ${cpu.min}-${cpu.max},
  --memory ${memoryMb.min}-${memoryMb.max}, --disk ${diskGb.min}-${diskGb.max}. --agent (claude, opencode or cursor) is the agent
  cal run and the app's Launch start in it; without it, the default in settings.`

export const createCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, { image: { type: 'string' }, cpu: { type: 'string' }, memory: { type: 'string' }, disk: { type: 'string' }, agent: { type: 'string' } }, USAGE, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  const name = a.positionals[0] as string
  const agent = agentOption(a.values.agent, USAGE)
  // Checked here, before the engine pulls or clones anything.
  const example = `cal create ${name}`
  const sizes = {
    cpu: wholeNumberOption(a.values.cpu, 'cpu', cpu, example),
    memoryMb: wholeNumberOption(a.values.memory, 'memory', memoryMb, example),
    diskGb: wholeNumberOption(a.values.disk, 'disk', diskGb, example),
  }
  const task = await followTask(ctx, () =>
    ctx.handlers['vms:create']({ name, image: typeof a.values.image === 'string' ? a.values.image : undefined, ...sizes, ...(agent ? { agent } : {}) }),
  )
  if (ctx.json) return printJson(ctx, { ok: true, task, vm: await ctx.handlers['vms:get']({ name }) }), 0
  ctx.stdout(`Created ${name}. Start it with \`cal start ${name}\`.\n`)
  return 0
}
