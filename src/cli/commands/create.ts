import type { CliCommand } from '../context'
import { agentOption, intOption, parseVerb } from '../args'
import { printJson } from '../output'
import { followTask } from '../task-runner'

const USAGE = `Usage: cal create NAME [--image IMAGE] [--cpu N] [--memory MB] [--disk GB] [--agent AGENT] [--json]
  Clone a new workspace VM from an image (default ghcr.io/cirruslabs/macos-sequoia-base:latest) or a local VM,
  with its own MAC address and serial. Defaults: 4 CPU, 8192 MB, 80 GB (from settings). --agent (claude, opencode
  or cursor) is the agent cal run and the app's Launch start in it; without it, the default in settings.`

export const createCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, { image: { type: 'string' }, cpu: { type: 'string' }, memory: { type: 'string' }, disk: { type: 'string' }, agent: { type: 'string' } }, USAGE, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  const name = a.positionals[0] as string
  const agent = agentOption(a.values.agent, USAGE)
  const task = await followTask(ctx, () =>
    ctx.handlers['vms:create']({
      name,
      image: typeof a.values.image === 'string' ? a.values.image : undefined,
      cpu: intOption(a.values.cpu, 'cpu'),
      memoryMb: intOption(a.values.memory, 'memory'),
      diskGb: intOption(a.values.disk, 'disk'),
      ...(agent ? { agent } : {}),
    }),
  )
  if (ctx.json) return printJson(ctx, { ok: true, task, vm: await ctx.handlers['vms:get']({ name }) }), 0
  ctx.stdout(`Created ${name}. Start it with \`cal start ${name}\`.\n`)
  return 0
}
