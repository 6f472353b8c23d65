import { constants } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { CalError } from '../../shared/errors'
import { TmuxSessionName, VmName } from '../../shared/names'
import { defaultSettings, type Settings } from '../../shared/settings'
import type { VmInfo } from '../../shared/vm'
import { createFileSettingsStore } from '../../core/settings/file-store'
import { exitOf, stopRemote } from '../../core/ssh/exec'
import { opensshOptions } from '../../core/ssh/openssh'
import { SshPool } from '../../core/ssh/pool'
import { shellJoin } from '../../core/ssh/quote'
import { FIND_TMUX, LIST_TMUX_SESSIONS, TMUX_SETUP } from '../../core/ssh/scripts'
import { AGENT_TMUX_SESSION, parseTmuxSessions } from '../../core/terminal/service'
import type { CliCommand, CliContext } from '../context'
import { EXIT } from '../exit-codes'
import { printJson, table, usageError } from '../output'
import { didYouMean } from '../suggest'
import { handlingCtrlC } from '../interrupt'

export const SSH_USAGE = `Usage: cal ssh NAME [--session TMUX_SESSION | --new-session TMUX_SESSION | -- COMMAND...]
       cal ssh NAME -t -- COMMAND...
       cal ssh NAME --list [--json]
       cal ssh NAME --forget-host-key [--json]
  Without a command: attach the VM's tmux session "${AGENT_TMUX_SESSION}" (started if it is not there) in this
  terminal, through OpenSSH with CAL's key and the VM's pinned host key.
  With a command: run it in the VM and exit with its status; this command's input goes to it. One argument goes
  to the remote shell as it is (pipes work: cal ssh dev -- 'ls | wc -l'); several are quoted one by one.
  -t, --tty: run the command on a terminal, for full-screen and interactive programs (cal ssh dev -t -- htop).
  --list: the VM's tmux sessions (the agent's "${AGENT_TMUX_SESSION}", shells), attached or not.
  --session S: attach the session S that runs in the VM (a name that is not there is an error, not a new session).
  --new-session S: start a session S and attach it (or attach S if it already runs).
  --forget-host-key: drop the VM's pinned host key (after the VM was recreated outside CAL).`

export interface SshArgs {
  vm: string
  session: string
  /**
   * How the session is attached: 'agent' (no flag: the agent's session, started if it is not there), 'existing'
   * (--session: only one that runs, so that a typo is not a new, empty session), 'new' (--new-session).
   */
  sessionMode: 'agent' | 'existing' | 'new'
  command: string[] | null
  /** -t: the command runs on a terminal (through OpenSSH, like the interactive attach). */
  tty: boolean
  forget: boolean
  list: boolean
  help: boolean
}

export function parseSshArgs(argv: string[]): SshArgs {
  const dash = argv.indexOf('--')
  const own = dash === -1 ? argv : argv.slice(0, dash)
  const command = dash === -1 ? null : argv.slice(dash + 1)
  let vm: string | null = null
  let session = AGENT_TMUX_SESSION
  let tty = false
  let forget = false
  let list = false
  let sessionGiven = false
  let sessionMode: SshArgs['sessionMode'] = 'agent'
  for (let i = 0; i < own.length; i++) {
    const a = own[i]!
    if (a === '--help' || a === '-h') return { vm: '', session, sessionMode, command: null, tty, forget, list, help: true }
    if (a === '--session' || a === '-s' || a === '--new-session') {
      const value = own[++i]
      if (value === undefined) throw usageError(`${a} needs a tmux session name (see cal ssh NAME --list).`, SSH_USAGE)
      const mode = a === '--new-session' ? 'new' : 'existing'
      if (sessionGiven && mode !== sessionMode) throw usageError('--session attaches a session that runs, --new-session starts one: use one or the other.', SSH_USAGE)
      session = value
      sessionGiven = true
      sessionMode = mode
    } else if (a === '--tty' || a === '-t') tty = true
    else if (a === '--forget-host-key') forget = true
    else if (a === '--list' || a === '-l') list = true
    else if (a.startsWith('-')) {
      const guess = a.startsWith('--') ? didYouMean(a.slice(2), ['session', 'new-session', 'tty', 'forget-host-key', 'list', 'json', 'yes', 'help'], (f) => `--${f}`) : ''
      throw usageError(`Unknown option ${a}.${guess}`, SSH_USAGE)
    }
    else if (vm === null) vm = a
    else throw usageError(`Unexpected argument "${a}": put the remote command after "--".`, SSH_USAGE)
  }
  if (!vm) throw usageError('Name the VM to connect to.', SSH_USAGE)
  if (!VmName.safeParse(vm).success) throw new CalError('NAME_INVALID', `"${vm}" is not a valid VM name.`, 'Use letters, digits, ".", "_" or "-", starting with a letter or digit.')
  const sessionCheck = TmuxSessionName.safeParse(session)
  if (!sessionCheck.success) throw new CalError('NAME_INVALID', `"${session}" is not a valid tmux session name.`, `${sessionCheck.error.issues[0]?.message ?? 'Pick another name'}.`)
  if (command && command.length === 0) throw usageError('Give a command after "--".', SSH_USAGE)
  if (list && command) throw usageError('--list takes no command.', SSH_USAGE)
  // Each of these does one thing: combined, one of them was silently left undone (a command not run after a forget).
  if (forget && (command || list || sessionGiven || tty)) throw usageError('--forget-host-key does only that: run it on its own, then connect.', SSH_USAGE)
  if (list && sessionGiven) throw usageError('--list shows every session: leave out --session.', SSH_USAGE)
  if (sessionGiven && command) throw usageError('--session attaches a tmux session; a command after "--" runs outside tmux: use one or the other.', SSH_USAGE)
  if (tty && !command) throw usageError('-t runs a command on a terminal: give one after "--" (without one, cal ssh attaches tmux on a terminal anyway).', SSH_USAGE)
  return { vm, session, sessionMode, command, tty, forget, list, help: false }
}

/**
 * The remote command for interactive mode: attach (or create) the tmux session after CAL's tmux setup (the same
 * server-wide options the app's terminal sets: escape-time, history-limit…), else a login shell with a notice.
 * `existing`: attach only that session (tmux's "=" is an exact name, not a prefix), never create one; if it ended
 * since it was listed, tmux says it cannot find it.
 */
export function attachCommand(session: string, existing = false): string {
  const tmux = shellJoin(['-u', ...TMUX_SETUP, ';', ...(existing ? ['attach-session', '-t', `=${session}`] : ['new-session', '-A', '-s', session])])
  return `T=$(${FIND_TMUX}); if [ -n "$T" ]; then exec "$T" ${tmux}; else echo 'cal: tmux not found in the VM, starting a plain login shell.' >&2; exec "\${SHELL:-/bin/sh}" -l; fi`
}

/** OpenSSH's argv for a terminal session (the tmux attach, or `-t` COMMAND): see opensshOptions. */
export function opensshArgs(calHome: string, user: string, host: string, port: number, remoteCommand: string): string[] {
  return [...opensshOptions(calHome), '-p', String(port), '-t', '--', `${user}@${host}`, remoteCommand]
}

/** The stored settings, password included (the settings:get handler leaves it out: it answers the window). */
async function settingsOf(ctx: CliContext): Promise<Settings> {
  try {
    const { settings, warning } = createFileSettingsStore(ctx.calHome).get()
    if (warning) ctx.stderr(`cal: ${warning}\n`)
    return settings
  } catch (err) {
    // The SSH user and password may not be the ones set in the app: say so rather than use the defaults unseen.
    ctx.stderr(`cal: could not read CAL's settings (${(err as Error).message}); using the default SSH user and password.\n`)
    return defaultSettings()
  }
}

function makePool(ctx: CliContext, settings: Settings): SshPool {
  return new SshPool({
    calHome: ctx.calHome,
    credentials: () => settings.ssh,
    resolveTarget: async (vm) => {
      const info = await ctx.handlers['vms:get']({ name: vm })
      if (!info.ip) throw noAddress(ctx, info)
      return { host: info.ip, port: 22 }
    },
  })
}

/** Why a VM has no address to connect to, and what to do, by its state. */
function noAddress(ctx: CliContext, info: VmInfo): CalError {
  const vm = info.name
  if (info.state === 'running' || info.state === 'starting') {
    return new CalError('VM_NOT_RUNNING', `The VM "${vm}" is still starting: it has no IP address yet.`, `Wait a few seconds and try again; \`cal list\` shows its address once it has one.`, { vm })
  }
  if (info.state === 'error') {
    return new CalError('VM_DIED', `The VM "${vm}" failed${info.error ? `: ${info.error}` : '.'}`, `See its log, ${join(ctx.calHome, 'logs', `${vm}.log`)}, then start it again with \`cal start ${vm}\`.`, { vm })
  }
  if (info.state === 'stopping') return new CalError('VM_NOT_RUNNING', `The VM "${vm}" is stopping.`, `Once it has stopped, start it again with \`cal start ${vm}\`.`, { vm })
  return new CalError('VM_NOT_RUNNING', `The VM "${vm}" is ${info.state}: it has no IP address to connect to.`, `Start it with \`cal start ${vm}\`.`, { vm })
}

/** How a signal stops this process: the remote command is stopped, and this exit code says which signal it was. */
const STOPPING_SIGNALS = { SIGINT: EXIT.cancelled, SIGTERM: 128 + 15, SIGHUP: 128 + 1 } as const

/**
 * One command through ssh2, streaming its output; this process's input is forwarded (a terminal's too, line by
 * line: Ctrl+D ends it). Ctrl+C, SIGTERM and SIGHUP stop the remote command; a reader that goes away (`| head`)
 * stops it quietly, as `ssh` does; a connection lost before the command finished is an error, not its exit code.
 */
async function runOne(pool: SshPool, vm: string, command: string): Promise<number> {
  const ch = await pool.channel(vm, command)
  return new Promise<number>((resolve, reject) => {
    let stoppedWith: number | null = null
    const stop = (code: number) => {
      if (stoppedWith !== null) return
      stoppedWith = code
      stopRemote(ch)
      ch.close()
    }
    const handlers = Object.entries(STOPPING_SIGNALS).map(([signal, code]) => [signal, () => stop(code)] as const)
    for (const [signal, fn] of handlers) process.on(signal, fn)
    const release = handlingCtrlC()
    const onOutputError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') stop(128 + 13)
      else reject(err)
    }
    process.stdout.on('error', onOutputError)
    ch.on('data', (d: Buffer) => {
      if (stoppedWith === null) process.stdout.write(d)
    })
    ch.stderr.on('data', (d: Buffer) => process.stderr.write(d))
    const pipeStdin = process.stdin.readable
    ch.on('close', () => {
      for (const [signal, fn] of handlers) process.removeListener(signal, fn)
      release()
      process.stdout.removeListener('error', onOutputError)
      if (pipeStdin) {
        process.stdin.unpipe(ch)
        process.stdin.pause()
      }
      if (stoppedWith !== null) return resolve(stoppedWith)
      // The exit status is recorded where the channel is handed out (see trackExit): a fast command's can
      // arrive before this function runs.
      const exit = exitOf(ch)
      if (!exit) {
        return reject(
          new CalError('SSH_DISCONNECTED', `The SSH connection to "${vm}" closed before the command finished.`, `Check that ${vm} is still running (\`cal list\`). The command may or may not have finished in the VM.`, { vm }),
        )
      }
      const signalled = exit.signal ? (constants.signals[`SIG${exit.signal.replace(/^SIG/, '')}` as keyof typeof constants.signals] ?? 9) : null
      resolve(exit.code ?? (signalled !== null ? 128 + signalled : EXIT.failed))
    })
    if (pipeStdin) process.stdin.pipe(ch)
    else ch.end()
  })
}

function tmuxSessions(pool: SshPool, vm: string): Promise<ReturnType<typeof parseTmuxSessions>> {
  return pool.exec(vm, LIST_TMUX_SESSIONS, { timeoutMs: 15_000 }).then((r) => parseTmuxSessions(r.stdout))
}

/**
 * --session S attaches S only if it runs: a misspelt name (cal-agnet) made a new, empty session, which looked like
 * "my agent is gone" and stayed in the VM. The error names the sessions there are, and how to start a new one.
 */
async function assertSessionRuns(pool: SshPool, args: SshArgs): Promise<void> {
  const names = (await tmuxSessions(pool, args.vm)).map((t) => t.name)
  if (names.includes(args.session)) return
  const start = `To start a new session with that name: \`cal ssh ${args.vm} --new-session ${shellJoin([args.session])}\`.`
  const there = names.length === 0 ? `No tmux sessions are running in ${args.vm}.` : `Its sessions: ${names.join(', ')} (\`cal ssh ${args.vm} --list\`).`
  throw new CalError('TERMINAL_NOT_FOUND', `There is no tmux session "${args.session}" in ${args.vm}.${didYouMean(args.session, names)}`, `${there} ${start}`, { vm: args.vm, session: args.session, sessions: names })
}

/** Run OpenSSH on this terminal (the tmux attach, or -t COMMAND); the VM's host key is pinned already. */
async function onTerminal(ctx: CliContext, pool: SshPool, args: SshArgs, settings: Settings, remote: string): Promise<number> {
  const address = (await pool.hostKeys.get(args.vm))?.address ?? ''
  const bracketed = /^\[(.*)\]:(\d+)$/.exec(address)
  const host = bracketed ? bracketed[1]! : address
  const port = bracketed ? Number(bracketed[2]) : 22
  await pool.dispose()
  const r = await execa('ssh', opensshArgs(ctx.calHome, settings.ssh.user, host, port, remote), { stdio: 'inherit', reject: false })
  if (r.exitCode === undefined) {
    throw new CalError('SSH_UNREACHABLE', `Could not run OpenSSH's ssh client: ${r.shortMessage ?? r.message}.`, 'Install the OpenSSH client, or use the terminal in the CAL app.')
  }
  if (r.exitCode === 255 && !args.command) throw await droppedAttach(ctx, args)
  return r.exitCode
}

/** The attach's connection closed: the session runs on in the VM, unless the VM itself stopped (then it went too). */
async function droppedAttach(ctx: CliContext, args: SshArgs): Promise<CalError> {
  const state = await ctx.handlers['vms:get']({ name: args.vm }).then(
    (v) => v.state,
    () => null,
  )
  if (state !== null && state !== 'running') {
    return new CalError('SSH_DISCONNECTED', `The SSH connection to "${args.vm}" closed: the VM is ${state}, and its tmux session "${args.session}" ended with it.`, `Start it again with \`cal start ${args.vm}\`.`, { vm: args.vm, state })
  }
  const again = args.sessionMode === 'agent' ? `cal ssh ${args.vm}` : `cal ssh ${args.vm} --session ${shellJoin([args.session])}`
  return new CalError('SSH_DISCONNECTED', `The SSH connection to "${args.vm}" closed.`, `The tmux session "${args.session}" keeps running in the VM: run \`${again}\` to attach it again.`, { vm: args.vm })
}

/** The tmux attach and -t COMMAND run OpenSSH on this terminal: refuse at once, before connecting, without one. */
function assertTerminal(args: SshArgs): void {
  if (process.stdin.isTTY && process.stdout.isTTY) return
  throw new CalError(
    'INVALID_INPUT',
    args.command ? `cal ssh -t needs a terminal, and this one's input or output is not one.` : `cal ssh ${args.vm} needs a terminal to attach tmux, and this one's input or output is not one.`,
    args.command ? `To run a command without a terminal, put it after "--" without -t: \`cal ssh ${args.vm} -- COMMAND\`.` : `To run one command: \`cal ssh ${args.vm} -- COMMAND\`.`,
  )
}

export const sshCommand: CliCommand = async (argv, ctx) => {
  const args = parseSshArgs(argv)
  if (args.help) return ctx.stdout(SSH_USAGE + '\n'), EXIT.ok
  if (!args.forget && !args.list && (args.command === null || args.tty)) assertTerminal(args)
  const settings = await settingsOf(ctx)
  const pool = makePool(ctx, settings)
  try {
    if (args.forget) {
      const pinned = !!(await pool.hostKeys.get(args.vm))
      // A key pinned for a VM that is gone is still worth forgetting; with none pinned, a name Tart does not know is a
      // typo, not "nothing to forget" (without Tart to ask, nothing pinned is all there is to say).
      const known = pinned || (await ctx.handlers['vms:list']({}).then((vms) => vms.some((v) => v.name === args.vm), () => true))
      if (!known) {
        throw new CalError('VM_NOT_FOUND', `The VM "${args.vm}" does not exist, and no host key is pinned for it.`, 'Run `cal list` to see your VMs.', { vm: args.vm })
      }
      if (pinned) await pool.forgetHostKey(args.vm)
      if (ctx.json) printJson(ctx, { ok: true, vm: args.vm, forgotten: pinned })
      else if (!pinned) ctx.stdout(`No host key is pinned for "${args.vm}": nothing to forget.\n`)
      else ctx.stdout(`Forgot the host key of "${args.vm}"; the next connection pins it again.\n`)
      return EXIT.ok
    }
    // Connecting through the pool first pins the host key, installs CAL's key on first contact, writes the
    // VM's current address to known_hosts and unlocks the keychain when configured.
    await pool.connect(args.vm)
    if (args.list) {
      const sessions = await tmuxSessions(pool, args.vm)
      if (ctx.json) ctx.stdout(JSON.stringify(sessions, null, 2) + '\n')
      else if (sessions.length === 0) ctx.stdout(`No tmux sessions are running in ${args.vm}.\n`)
      else ctx.stdout(table(['SESSION', 'STARTED', 'CLIENTS', 'RUNNING'], sessions.map((t) => [t.name, t.createdAt, t.clients, t.command])))
      return EXIT.ok
    }
    const command = args.command ? (args.command.length === 1 ? args.command[0]! : shellJoin(args.command)) : null
    if (command !== null && !args.tty) return await runOne(pool, args.vm, command)
    if (args.sessionMode === 'existing') await assertSessionRuns(pool, args)
    return await onTerminal(ctx, pool, args, settings, command ?? attachCommand(args.session, args.sessionMode === 'existing'))
  } finally {
    await pool.dispose()
  }
}
