import { execa } from 'execa'
import { CalError } from '../../shared/errors'
import { VmName } from '../../shared/names'
import { defaultSettings, type Settings } from '../../shared/settings'
import { exitOf } from '../../core/ssh/exec'
import { clientKeyPath, knownHostsPath } from '../../core/ssh/keys'
import { SshPool } from '../../core/ssh/pool'
import { shellJoin } from '../../core/ssh/quote'
import { FIND_TMUX, LIST_TMUX_SESSIONS } from '../../core/ssh/scripts'
import { AGENT_TMUX_SESSION, parseTmuxSessions } from '../../core/terminal/service'
import type { CliCommand, CliContext } from '../context'
import { EXIT } from '../exit-codes'
import { table, usageError } from '../output'

export const SSH_USAGE = `Usage: cal ssh NAME [--session TMUX_SESSION] [-- COMMAND...]
       cal ssh NAME --list [--json]
       cal ssh NAME --forget-host-key
  Without a command: attach the VM's tmux session (default "${AGENT_TMUX_SESSION}") in this terminal,
  through OpenSSH with CAL's key and the VM's pinned host key.
  With a command: run it in the VM and exit with its status. One argument goes to the remote shell as it
  is (pipes work: cal ssh dev -- 'ls | wc -l'); several are quoted one by one.
  --list: the VM's tmux sessions (the agent's "${AGENT_TMUX_SESSION}", shells), attached or not; --session NAME attaches one.
  --forget-host-key: drop the VM's pinned host key (after the VM was recreated outside CAL).`

export interface SshArgs {
  vm: string
  session: string
  command: string[] | null
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
  let forget = false
  let list = false
  for (let i = 0; i < own.length; i++) {
    const a = own[i]!
    if (a === '--help' || a === '-h') return { vm: '', session, command: null, forget, list, help: true }
    if (a === '--session' || a === '-s') session = own[++i] ?? ''
    else if (a === '--forget-host-key') forget = true
    else if (a === '--list' || a === '-l') list = true
    else if (a.startsWith('-')) throw usageError(`Unknown option ${a}.`, SSH_USAGE)
    else if (vm === null) vm = a
    else throw usageError(`Unexpected argument "${a}": put the remote command after "--".`, SSH_USAGE)
  }
  if (!vm) throw usageError('Name the VM to connect to.', SSH_USAGE)
  for (const [what, value] of [['VM name', vm], ['tmux session name', session]] as const) {
    if (!VmName.safeParse(value).success) throw new CalError('NAME_INVALID', `"${value}" is not a valid ${what}.`, 'Use letters, digits, ".", "_" or "-", starting with a letter or digit.')
  }
  if (command && command.length === 0) throw usageError('Give a command after "--".', SSH_USAGE)
  if (list && command) throw usageError('--list takes no command.', SSH_USAGE)
  return { vm, session, command, forget, list, help: false }
}

/** The remote command for interactive mode: attach (or create) the tmux session, else a login shell with a notice. */
export function attachCommand(session: string): string {
  const tmux = shellJoin(['-u', 'new-session', '-A', '-s', session])
  return `T=$(${FIND_TMUX}); if [ -n "$T" ]; then exec "$T" ${tmux}; else echo 'cal: tmux not found in the VM, starting a plain login shell.' >&2; exec "\${SHELL:-/bin/sh}" -l; fi`
}

/** OpenSSH's argv for interactive mode: CAL's key, CAL's known_hosts, strict checking, never the user's own keys. */
export function opensshArgs(calHome: string, user: string, host: string, port: number, session: string): string[] {
  return [
    '-i', clientKeyPath(calHome),
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${knownHostsPath(calHome)}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ServerAliveInterval=15',
    '-p', String(port),
    '-t',
    `${user}@${host}`,
    attachCommand(session),
  ]
}

async function settingsOf(ctx: CliContext): Promise<Settings> {
  try {
    return (await ctx.handlers['settings:get']({})).settings
  } catch {
    return defaultSettings()
  }
}

function makePool(ctx: CliContext, settings: Settings): SshPool {
  return new SshPool({
    calHome: ctx.calHome,
    credentials: () => settings.ssh,
    resolveTarget: async (vm) => {
      const info = await ctx.handlers['vms:get']({ name: vm })
      if (!info.ip) throw new CalError('VM_NOT_RUNNING', `VM "${vm}" is ${info.state}: it has no IP address to connect to.`, `Start it first: cal start ${vm}`, { vm })
      return { host: info.ip, port: 22 }
    },
  })
}

/** One command through ssh2, streaming its output; stdin is forwarded when it is not a terminal. */
async function runOne(pool: SshPool, vm: string, command: string): Promise<number> {
  const ch = await pool.channel(vm, command)
  return new Promise<number>((resolve) => {
    let cancelled = false
    ch.on('data', (d: Buffer) => process.stdout.write(d))
    ch.stderr.on('data', (d: Buffer) => process.stderr.write(d))
    const onSigint = () => {
      ch.close()
      cancelled = true
    }
    process.once('SIGINT', onSigint)
    const pipeStdin = !process.stdin.isTTY && process.stdin.readable
    ch.on('close', () => {
      process.removeListener('SIGINT', onSigint)
      if (pipeStdin) {
        process.stdin.unpipe(ch)
        process.stdin.pause()
      }
      // The exit status is recorded where the channel is handed out (see trackExit): a fast command's can
      // arrive before this function runs.
      const exit = exitOf(ch)
      resolve(cancelled ? EXIT.cancelled : exit ? (exit.code ?? (exit.signal ? 128 + 9 : EXIT.failed)) : EXIT.failed)
    })
    if (pipeStdin) process.stdin.pipe(ch)
    else ch.end()
  })
}

export const sshCommand: CliCommand = async (argv, ctx) => {
  const args = parseSshArgs(argv)
  if (args.help) return ctx.stdout(SSH_USAGE + '\n'), EXIT.ok
  const settings = await settingsOf(ctx)
  const pool = makePool(ctx, settings)
  try {
    if (args.forget) {
      await pool.forgetHostKey(args.vm)
      ctx.stdout(`Forgot the host key of "${args.vm}"; the next connection pins it again.\n`)
      return EXIT.ok
    }
    // Connecting through the pool first pins the host key, installs CAL's key on first contact, writes the
    // VM's current address to known_hosts and unlocks the keychain when configured.
    await pool.connect(args.vm)
    if (args.list) {
      const sessions = parseTmuxSessions((await pool.exec(args.vm, LIST_TMUX_SESSIONS, { timeoutMs: 15_000 })).stdout)
      if (ctx.json) ctx.stdout(JSON.stringify(sessions, null, 2) + '\n')
      else if (sessions.length === 0) ctx.stdout(`No tmux sessions are running in ${args.vm}.\n`)
      else ctx.stdout(table(['SESSION', 'STARTED', 'CLIENTS', 'RUNNING'], sessions.map((t) => [t.name, t.createdAt, t.clients, t.command])))
      return EXIT.ok
    }
    if (args.command) {
      const command = args.command.length === 1 ? args.command[0]! : shellJoin(args.command)
      return await runOne(pool, args.vm, command)
    }
    const address = (await pool.hostKeys.get(args.vm))?.address ?? ''
    const bracketed = /^\[(.*)\]:(\d+)$/.exec(address)
    const host = bracketed ? bracketed[1]! : address
    const port = bracketed ? Number(bracketed[2]) : 22
    await pool.dispose()
    const r = await execa('ssh', opensshArgs(ctx.calHome, settings.ssh.user, host, port, args.session), { stdio: 'inherit', reject: false })
    if (r.exitCode === undefined) {
      throw new CalError('SSH_UNREACHABLE', `Could not run OpenSSH's ssh client: ${r.shortMessage ?? r.message}.`, 'Install the OpenSSH client, or use the terminal in the CAL app.')
    }
    return r.exitCode
  } finally {
    await pool.dispose()
  }
}
