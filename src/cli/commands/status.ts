import { CalError } from '../../shared/errors'
import { workspaceAgent } from '../../shared/settings'
import type { VmInfo } from '../../shared/vm'
import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { EXIT } from '../exit-codes'
import { printJson } from '../output'

const USAGE = `Usage: cal status [NAME] [--json]
  Without NAME: Tart, CAL_HOME and how many macOS VMs run (no Tart: exit 8, and with --json "ok": false and the
  error, as every verb's failure). With NAME: that VM's state and facts, the agent cal run
  and the app's Launch start in it, and its snapshots (--json: launchAgent and snapshotCount).`

export const statusCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, USAGE, { min: 0, max: 1 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  const name = a.positionals[0]
  if (name) {
    const vm = await ctx.handlers['vms:get']({ name })
    // The agent as Launch picks it (the settings' choice for this VM, the one chosen at create, the default).
    const settings = await (async () => (await ctx.handlers['settings:get']({})).settings)().catch(() => null)
    const agent = settings ? workspaceAgent(settings, vm.name, vm.agent) : vm.agent
    const snapshots = vm.role === 'snapshot' ? null : await ctx.handlers['snapshots:list']({ vm: name }).catch(() => null)
    // The VM as the engine gives it (its `agent` is the one chosen at create), plus what the text shows besides.
    if (ctx.json) return printJson(ctx, { ...vm, launchAgent: agent, snapshotCount: snapshots?.length ?? null }), 0
    const rows: [string, unknown][] = [
      ['name', vm.name], ['state', vm.state], ['role', vm.role], ['os', vm.os], ['cpu', vm.cpu], ['memory', `${vm.memoryMb} MB`],
      ['disk', `${vm.diskGb} GB (${vm.sizeGb} GB used)`], ['ip', vm.ip], ['image', vm.baseImage], ['created', vm.createdAt],
      ['started', vm.startedAt], ['agent', agent], ['snapshots', snapshots && `${snapshots.length}${snapshots.length ? ` (newest: ${snapshots[0]!.name})` : ''}`],
      ['last session snapshot', vm.lastSessionSnapshotAt], ['error', vm.error], ['next step', errorNextStep(vm)],
    ]
    ctx.stdout(rows.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => `${k.padEnd(22)}${String(v)}`).join('\n') + '\n')
    return 0
  }
  const s = await ctx.handlers['app:status']({})
  // Tart missing exits 8 with --json too: a script reads the code, not only the tartFound field.
  const code = s.tartFound ? EXIT.ok : EXIT.tartMissing
  if (ctx.json) {
    if (s.tartFound) return printJson(ctx, s), code
    // As every verb's --json failure is ({"ok":false,"error":…}, which a script tests first), with the status the
    // text shows beside it; no count of running VMs, which nobody can tell without Tart (the text: "unknown").
    const looked = ctx.tartPath ? ` (looked for "${ctx.tartPath}")` : ''
    const error = new CalError('TART_NOT_FOUND', `Tart was not found or cannot be run${looked}.`, '`cal doctor` says why and what to do.').toData()
    return printJson(ctx, { ok: false, error, ...s, runningMacVms: null }), code
  }
  ctx.stdout(
    [
      `tart        ${s.tartFound ? `${s.tartVersion} (${s.tartPath})` : 'not found or cannot be run: `cal doctor` says why and what to do'}`,
      `CAL_HOME    ${s.calHome}`,
      // Without Tart, nothing says which VMs run: not "0 of 2".
      `macOS VMs   ${s.tartFound ? `${s.runningMacVms} of ${s.macVmLimit} running` : 'unknown without Tart'}`,
    ].join('\n') + '\n',
  )
  return code
}

/**
 * What to do about a VM in an error state, when its error does not already say: a guest that stopped on its own (the
 * error is then the VM's own log line, e.g. Virtualization.framework's) is started again. CAL's own errors (a create
 * or a restore cut short) end with their remedy. The engine gives no kind with the error, so these are told apart by
 * their opening words.
 */
export function errorNextStep(vm: Pick<VmInfo, 'name' | 'state' | 'error'>): string | null {
  if (vm.state !== 'error' || !vm.error || /^(Its create was cut short|A restore could not finish)/.test(vm.error)) return null
  return `It stopped unexpectedly. Start it again with \`cal start ${vm.name}\`; what was saved on its disk is still there.`
}
