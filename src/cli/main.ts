import { createWriteStream } from 'node:fs'
import { createInterface } from 'node:readline/promises'
import type { Readable, Writable } from 'node:stream'
import { CalError } from '../shared/errors'
import type { CliCommand, CliContext } from './context'
import { EXIT, EXIT_CODES_HELP } from './exit-codes'
import { printError, visible } from './output'
import { didYouMean, withSuggestion } from './suggest'

declare const __CAL_VERSION__: string | undefined

/** CAL's version (package.json), set by the build; 0.0.0 when run from source. */
export const CAL_VERSION = typeof __CAL_VERSION__ !== 'undefined' ? __CAL_VERSION__ : '0.0.0'

export const HELP = `cal — run coding agents in disposable macOS VMs (Tart)

Usage: cal [--tart PATH] [--json] [--yes] COMMAND [ARGS]

Commands:
  list (ls)                         workspace VMs and their state
  status [NAME]                     Tart and CAL_HOME, or one VM in detail
  create NAME [--image --cpu --memory --disk --agent]
  start NAME                        start headless, wait for IP and SSH
  stop NAME [--force]               shut down cleanly (--force: power off)
  restart NAME                      stop, then start and wait for SSH (a stopped VM just starts)
  suspend NAME                      save memory and stop; start resumes
  delete NAME [--force]             delete a VM and its snapshots
  snapshot create|list|restore|delete NAME [SNAPSHOT]
  rollback NAME                     restore the latest session-start snapshot
  check NAME                        git safety check in the VM
  disk-usage [NAME]                 space used by VMs and snapshots (NAME: that VM's, per snapshot)
  doctor                            what is missing and how to fix it
  run NAME [--agent A] [--backup | --no-snapshot]
                                    launch the coding agent (session snapshot first), then attach it
  ssh NAME [-t] [-- COMMAND]        attach the agent's tmux session, or run one command
  ssh NAME --list | --session S | --new-session S | --forget-host-key
  help COMMAND                      the same as cal COMMAND --help

Global options:
  --tart PATH   the Tart executable (else CAL_TART, else tart on PATH); data lives in CAL_HOME (~/.cal)
  --json        machine-readable output on stdout (progress always goes to stderr)
  --yes, -y     confirm destructive operations (needed without a terminal when work is at risk)
  --help, -h    help for cal or for one command
  --version     CAL's version

${EXIT_CODES_HELP}
`

export interface GlobalFlags {
  tartPath: string | undefined
  json: boolean
  yes: boolean
  help: boolean
  version: boolean
  rest: string[]
}

/** Pulls the global flags out wherever they appear (before a `--`), leaving the verb and its arguments. */
export function splitGlobals(argv: string[]): GlobalFlags {
  const out: GlobalFlags = { tartPath: undefined, json: false, yes: false, help: false, version: false, rest: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--') {
      out.rest.push(...argv.slice(i))
      break
    }
    if (a === '--json') out.json = true
    else if (a === '--yes' || a === '-y') out.yes = true
    else if (a === '--tart' || a.startsWith('--tart=')) {
      const v = a === '--tart' ? argv[++i] : a.slice('--tart='.length)
      // An empty value would silently fall back to CAL_TART or PATH; "--tart --json" would take the flag as the path.
      if (!v || (a === '--tart' && v.startsWith('-'))) throw new CalError('INVALID_INPUT', '--tart needs a path.', 'e.g. --tart /opt/homebrew/bin/tart')
      out.tartPath = v
    }
    else if (a === '--version' && out.rest.length === 0) out.version = true
    else if ((a === '--help' || a === '-h') && out.rest.length === 0) out.help = true
    else out.rest.push(a)
  }
  return out
}

const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  list: async () => (await import('./commands/list')).listCommand,
  ls: async () => (await import('./commands/list')).listCommand,
  status: async () => (await import('./commands/status')).statusCommand,
  create: async () => (await import('./commands/create')).createCommand,
  start: async () => (await import('./commands/start')).startCommand,
  stop: async () => (await import('./commands/stop')).stopCommand,
  restart: async () => (await import('./commands/restart')).restartCommand,
  suspend: async () => (await import('./commands/suspend')).suspendCommand,
  delete: async () => (await import('./commands/delete')).deleteCommand,
  snapshot: async () => (await import('./commands/snapshot')).snapshotCommand,
  rollback: async () => (await import('./commands/rollback')).rollbackCommand,
  check: async () => (await import('./commands/check')).checkCommand,
  'disk-usage': async () => (await import('./commands/disk-usage')).diskUsageCommand,
  doctor: async () => (await import('./commands/doctor')).doctorCommand,
  ssh: async () => (await import('./commands/ssh')).sshCommand,
  run: async () => (await import('./commands/run')).runCommand,
}

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  isTTY: boolean
  /** A person can be asked (stdin is a terminal), even with stderr redirected; defaults to isTTY. */
  canAsk?: boolean
  confirm?: (question: string, context?: string, defaultYes?: boolean) => Promise<boolean>
}

/** y or yes (any case) is yes; an empty answer is the question's default; anything else is no. */
export function answerIsYes(answer: string, defaultYes = false): boolean {
  const a = answer.trim()
  return /^y(es)?$/i.test(a) || (defaultYes && a === '')
}

/**
 * Asks on the terminal; anything but y/yes is no (with `defaultYes`, an empty answer is yes too). With stderr
 * redirected (`cal stop dev 2>&1 | tee log`), the question, and what it is about (`context`, already written to
 * stderr), go to the terminal itself. Ctrl+C or Ctrl+D instead of an answer is a no (never the default), and the
 * caller's "nothing was changed" follows on a line of its own. `streams`: for tests.
 */
export async function askTerminal(question: string, context?: string, defaultYes = false, streams: { input?: Readable; output?: Writable } = {}): Promise<boolean> {
  const tty = streams.output || process.stderr.isTTY ? null : createWriteStream('/dev/tty')
  tty?.on('error', () => undefined) // no terminal after all: the answer still comes from stdin
  const output = streams.output ?? tty ?? process.stderr
  if (tty && context) tty.write(context)
  const rl = createInterface({ input: streams.input ?? process.stdin, output })
  // Input that ends (Ctrl+D) closes the interface; the question's promise may then never settle.
  const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)))
  try {
    const asked = rl.question(`${question} ${defaultYes ? '[Y/n]' : '[y/N]'} `).catch((err: Error) => {
      if (err.name === 'AbortError') return null
      throw err
    })
    const answer = await Promise.race([asked, closed])
    if (answer === null) {
      output.write('\n')
      return false
    }
    return answerIsYes(answer, defaultYes)
  } finally {
    rl.close()
    tty?.end()
  }
}

/**
 * Runs one `cal` invocation and returns its exit code. `makeContext` builds the engine side of the context
 * (handlers, events); cal.ts uses the real engine, tests pass their own.
 */
export async function runCli(argv: string[], io: CliIo, makeContext: (g: GlobalFlags) => Promise<Pick<CliContext, 'handlers' | 'events' | 'calHome'> & { dispose?: () => Promise<void> }>): Promise<number> {
  let g: GlobalFlags
  try {
    g = splitGlobals(argv)
  } catch (err) {
    return printError({ ...io, json: argv.includes('--json') }, err)
  }
  if (g.version) {
    io.stdout(`${CAL_VERSION}\n`)
    return EXIT.ok
  }
  const [verb, ...rest] = g.rest
  if (!verb || g.help || verb === 'help') {
    // cal help start, cal --help start: that command's help. cal help help: cal's own.
    const about = verb === 'help' ? rest[0] : verb
    if (about && COMMANDS[about]) return runCli([about, '--help'], io, makeContext)
    if (verb === 'help' && about && about !== 'help') return printError({ ...io, json: g.json }, unknownCommand(about))
    // Help asked for is output; help instead of a missing command is a usage error, on stderr (with --json, as
    // every usage error: INVALID_INPUT on stdout).
    if (!verb && !g.help && g.json) return printError({ ...io, json: true }, new CalError('INVALID_INPUT', 'Missing command.', 'Run `cal --help` for the list of commands.'))
    if (verb || g.help) io.stdout(HELP)
    else io.stderr(HELP)
    return verb || g.help ? EXIT.ok : EXIT.usage
  }
  const load = COMMANDS[verb]
  if (!load) return printError({ ...io, json: g.json }, unknownCommand(verb))
  let engine: Awaited<ReturnType<typeof makeContext>> | null = null
  const base = { stdout: (t: string) => io.stdout(visible(t)), stderr: (t: string) => io.stderr(visible(t)), json: g.json, yes: g.yes, isTTY: io.isTTY, canAsk: io.canAsk ?? io.isTTY, tartPath: g.tartPath, confirm: (q: string, context?: string, defaultYes?: boolean) => (io.confirm ?? askTerminal)(q, context === undefined ? undefined : visible(context), defaultYes) }
  try {
    const command = await load()
    // --help needs no engine (and must work without Tart). What follows "--" is a remote command's (ls -h).
    const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest
    if (own.includes('--help') || own.includes('-h')) {
      return await command(rest, { ...base, handlers: null as never, events: null as never, calHome: '' })
    }
    engine = await makeContext(g)
    return await command(rest, { ...base, handlers: engine.handlers, events: engine.events, calHome: engine.calHome })
  } catch (err) {
    return printError(base, engine ? await withSuggestion(engine, err) : err)
  } finally {
    if (engine) await warnAboutSettings(base, engine.handlers)
    await engine?.dispose?.().catch(() => {})
  }
}

/**
 * A settings file this run found unreadable or invalid, and set aside: said on every verb (asking for the settings
 * reads them, if the verb did not), since the next run sees a valid file and nothing to say. The warning lives for
 * the process, so it is there however early the verb read them.
 */
async function warnAboutSettings(base: { stderr: (t: string) => void }, handlers: CliContext['handlers']): Promise<void> {
  try {
    const view = await handlers['settings:get']?.({})
    if (view?.warning) base.stderr(`cal: ${view.warning}\n`)
  } catch {
    // Unreadable even now (CAL_HOME a file): the verb's own error said so.
  }
}

function unknownCommand(verb: string): CalError {
  return new CalError('INVALID_INPUT', `Unknown command "${verb}".${didYouMean(verb, [...Object.keys(COMMANDS), 'help'])}`, 'Run `cal --help` for the list of commands.')
}

