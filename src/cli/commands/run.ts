import { CalError } from '../../shared/errors'
import type { Task } from '../../shared/task'
import type { CliCommand } from '../context'
import { agentOption, parseVerb } from '../args'
import { EXIT } from '../exit-codes'
import { printJson } from '../output'
import { ASK_WITHIN_MS, busyWithin, powerQuestion } from '../../shared/power-question'
import { progressPrinter } from '../task-runner'
import { handlingCtrlC, holdCtrlCUntilExit, STOP_SIGNALS } from '../interrupt'
import { sshCommand } from './ssh'

const RUN = `Usage: cal run NAME [--agent claude|opencode|cursor] [--backup | --no-snapshot] [--json]
  Launch the coding agent in the VM, as the app's Launch does: a session snapshot first when Settings → Snapshots
  takes one at session start (--backup: whatever they say; --no-snapshot: none), then the agent in the VM's tmux
  session "cal-agent" (an agent already running there is shown, not started again). On a terminal, cal then
  attaches that session as cal ssh NAME does: detach with Ctrl-b d, and the agent keeps running. It asks first on
  a terminal (Enter launches, unless the session snapshot has to shut the VM down while programs run in it: it
  names them, and Enter does not launch); --yes does not.`

export const runCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, { agent: { type: 'string' }, backup: { type: 'boolean' }, 'no-snapshot': { type: 'boolean' } }, RUN, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(RUN + '\n'), EXIT.ok
  const name = a.positionals[0] as string
  const agent = agentOption(a.values.agent, RUN)
  const backup = a.values.backup === true
  const skip = a.values['no-snapshot'] === true
  if (backup && skip) throw new CalError('INVALID_INPUT', '--backup and --no-snapshot contradict each other: give one.', RUN.split('\n')[0] ?? '')

  const info = await ctx.handlers['agent:launchInfo']({ name, agent })
  if (info.vmState !== 'running') {
    // "is error" read badly: a VM in that state is in an error state (it stopped unexpectedly), and is started again.
    const now = info.vmState === 'error' ? 'in an error state' : info.vmState
    throw new CalError('VM_NOT_RUNNING', `The VM "${name}" is ${now}, so its agent cannot start.`, `Start it with \`cal start ${name}\`.`, { vm: name })
  }
  const label = info.agentLabel
  const snapshot = info.running
    ? 'none (the agent already runs)'
    : skip
      ? 'none'
      : backup || info.autoSnapshot
        ? info.snapshotShutsDown
          ? 'a session snapshot first: CAL cannot suspend this VM, so it shuts it down for the snapshot and starts it again, which ends the programs running in it'
          : 'a session snapshot first (the VM pauses meanwhile)'
        : 'none (automatic snapshots are off)'
  // A snapshot that shuts the VM down ends the programs still working in it: named, as cal stop names them, and Enter
  // is then no, as for every question whose yes loses something (Enter must not end a build that was never named).
  const snapshotFirst = !info.running && !skip && (backup || info.autoSnapshot)
  const ended =
    snapshotFirst && info.snapshotShutsDown && !ctx.yes && ctx.canAsk
      ? (powerQuestion(name, 'snapshot', await busyWithin(() => ctx.handlers['terminal:sessions']({ name }), ASK_WITHIN_MS))?.running ?? [])
      : []
  const facts = [
    `Workspace:   ${name} (isolation active: the agent works inside the VM)`,
    `Agent:       ${label}`,
    ...(info.running ? [`Running:     ${info.running}, in the agent's session: cal attaches it and starts nothing`] : []),
    ...(!info.running && info.installed === false ? [`Installed:   not found in the VM: install ${info.command} there first, or it will say "command not found"`] : []),
    ...(info.signedIn === false ? [`Signed in:   not yet (nothing in ${info.signInPath}): it asks you to sign in when it starts`] : []),
    ...(info.repository ? [`Repository:  ${info.repository}${info.branch ? ` (branch: ${info.branch})` : ''}`] : []),
    `Snapshot:    ${snapshot}${ended.length ? ':' : ''}`,
    ...ended.map((line) => `             - ${line}`),
    ...(info.warning ? [`Warning:     ${info.warning}`] : []),
  ]
  ctx.stderr(facts.join('\n') + '\n')
  // An agent already at work is attached, never replaced: it may be another than the one asked for (--agent), so
  // what cal says names the program that runs there, not the agent it would have started.
  const question = info.running ? `Attach the agent's session in ${name} (${info.running} runs there)?` : `Launch ${label} in ${name}?`
  if (!ctx.yes && ctx.canAsk && !(await ctx.confirm(question, facts.join('\n'), ended.length === 0))) {
    ctx.stderr('Not launched.\n')
    return EXIT.cancelled
  }

  // The session snapshot is a task of its own: its steps show here as they happen.
  const print = progressPrinter(ctx)
  let snapshotTask: string | null = null
  let snapshotTaken = false
  const off = ctx.events.on('tasks:updated', (t: Task) => {
    if (t.vm !== name || t.kind !== 'snapshot') return
    print(t)
    snapshotTask = t.state === 'running' ? t.id : null
    snapshotTaken ||= t.state === 'succeeded'
  })
  // Ctrl+C, a kill or a closed terminal while the snapshot pauses the VM: the snapshot is cancelled where it safely can
  // be, and brings the VM back either way; the agent is then not launched. Without this, cal ended at once and left the
  // VM suspended, with no snapshot and nothing said.
  let signal: NodeJS.Signals | null = null
  const onSignal = (received: NodeJS.Signals) => {
    if (signal) return
    signal = received
    holdCtrlCUntilExit()
    ctx.stderr(`\ncancelling… ${label} will not be launched${snapshotTask ? '; the VM comes back from the session snapshot first' : ''}\n`)
    if (snapshotTask) ctx.handlers['tasks:cancel']({ id: snapshotTask }).catch(() => {})
  }
  for (const s of STOP_SIGNALS) process.on(s, onSignal)
  const release = handlingCtrlC()
  const cancelled = (message: string) => new CalError('CANCELLED', message, '', signal && signal !== 'SIGINT' ? { vm: name, signal } : { vm: name })
  let session
  try {
    const size = { cols: process.stdout.columns || 120, rows: process.stdout.rows || 40 }
    session = await ctx.handlers['agent:launch']({ vm: name, agent, backupFirst: backup, skipSnapshot: skip, ...size })
  } catch (err) {
    if (signal) throw cancelled(`Not launched: ${CalError.from(err).message}`)
    throw err
  } finally {
    off()
    for (const s of STOP_SIGNALS) process.off(s, onSignal)
    release()
  }
  if (signal) {
    // It started as the cancel came: an agent this launch began is ended again; one that ran before is left running.
    await ctx.handlers['terminal:close']({ id: session.id, mode: info.running ? 'detach' : 'end' }).catch(() => {})
    const taken = snapshotTaken ? ' (the session snapshot was taken)' : ''
    throw cancelled(info.running ? `Not attached: ${info.running} keeps running in ${name}.` : `Not launched: ${label} was stopped before it could begin; ${name} runs as before${taken}.`)
  }
  // The engine attached the session to start the agent; this command hands it to OpenSSH (or leaves it running).
  await ctx.handlers['terminal:close']({ id: session.id, mode: 'detach' })
  const tmux = session.tmuxSession ?? 'cal-agent'
  if (ctx.json) {
    printJson(ctx, { vm: name, agent: info.agent, started: !info.running, running: info.running, tmuxSession: tmux })
    return EXIT.ok
  }
  if (process.stdin.isTTY && process.stdout.isTTY) return sshCommand([name, '--session', tmux], ctx)
  if (info.running === info.command) ctx.stdout(`${label} already runs in ${name}'s tmux session "${tmux}". Attach it with \`cal ssh ${name}\`.\n`)
  else if (info.running) ctx.stdout(`${label} was not started: ${info.running} already runs in ${name}'s tmux session "${tmux}". Attach it with \`cal ssh ${name}\`.\n`)
  else ctx.stdout(`${label} runs in ${name}'s tmux session "${tmux}". Attach it with \`cal ssh ${name}\`.\n`)
  return EXIT.ok
}
