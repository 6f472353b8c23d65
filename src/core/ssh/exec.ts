import type { Client, ClientChannel } from 'ssh2'
import { CalError } from '../../shared/errors'

export interface ExecOptions {
  timeoutMs?: number
  signal?: AbortSignal
  /** Written to the command's stdin, then closed (secrets go here, never on the command line). */
  stdin?: string
  /** Where the command runs, for error messages ('VM "dev"'). */
  where?: string
  /** Environment sent with the command (the guest's sshd takes what its AcceptEnv allows, and drops the rest). */
  env?: Record<string, string>
  /** At most this much output (stdout and stderr together) is kept; past it the command is stopped. */
  maxOutputBytes?: number
  /**
   * Stopped when it prints nothing for this long: for a command whose whole run grows with the VM's content (the git
   * check of every repository) but that prints as it goes, a stuck step is told from a long run.
   */
  quietMs?: number
}

/**
 * What one command may print before CAL stops it. CAL's own commands print far less (a git check of thousands of
 * repositories, tmux's 10,000 lines of history: a few MB); without a bound, a login shell in the VM that prints
 * without end (an agent can edit ~/.bashrc) filled this process's memory until it died, in the app's main process too.
 */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024

export interface ExecResult {
  stdout: string
  stderr: string
  code: number
}

/** The signature the engine's git check and others depend on. */
export type RemoteExec = (
  vm: string,
  command: string,
  opts?: { timeoutMs?: number; quietMs?: number; signal?: AbortSignal },
) => Promise<ExecResult>

const exits = new WeakMap<ClientChannel, { code: number | null; signal: string | null }>()

/**
 * Record how the channel's command ends. ssh2 parses every packet of one TCP read in one go, so a fast command's
 * exit-status can be emitted before a promise continuation attaches listeners: call this synchronously in the
 * callback that hands out the channel, and read the result with exitOf().
 */
export function trackExit(ch: ClientChannel): ClientChannel {
  ch.once('exit', (code: number | null, signal?: string) => exits.set(ch, { code, signal: signal ?? null }))
  ch.once('close', () => closedChannels.add(ch))
  return ch
}

const closedChannels = new WeakSet<ClientChannel>()

/** Whether the channel has closed (its 'close' may have been emitted before a promise continuation could listen). */
export function isClosed(ch: ClientChannel): boolean {
  return closedChannels.has(ch)
}

/** How the channel's command ended, once the guest said so (null until then). */
export function exitOf(ch: ClientChannel): { code: number | null; signal: string | null } | null {
  return exits.get(ch) ?? null
}

/** Open a channel running `command` (no PTY unless asked), as a promise. */
export function openExec(client: Client, command: string, pty?: { cols: number; rows: number }, env?: Record<string, string>): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | undefined, ch: ClientChannel) => {
      if (err) return reject(err)
      resolve(trackExit(ch))
    }
    try {
      const ptyOpts = pty && { term: 'xterm-256color', cols: pty.cols, rows: pty.rows, width: 0, height: 0 }
      if (ptyOpts || env) client.exec(command, { ...(ptyOpts ? { pty: ptyOpts } : {}), ...(env ? { env } : {}) }, cb)
      else client.exec(command, cb)
    } catch (err) {
      reject(err as Error)
    }
  })
}

/**
 * Run one command to completion. On timeout or abort the remote process gets SIGKILL and the channel is
 * closed, so nothing keeps running in the guest and the connection stays usable.
 */
export async function execOn(client: Client, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
  if (opts.signal?.aborted) throw cancelled()
  const ch = await openExec(client, command, undefined, opts.env)
  if (opts.signal?.aborted) {
    // Cancelled while the channel was being opened: the command has started, so stop it.
    stopRemote(ch)
    ch.close()
    throw cancelled()
  }
  return new Promise<ExecResult>((resolve, reject) => {
    const out: Buffer[] = []
    const err: Buffer[] = []
    let settled = false
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(quiet)
      opts.signal?.removeEventListener('abort', onAbort)
      fn()
    }
    const stop = (error: CalError) =>
      finish(() => {
        stopRemote(ch)
        ch.close()
        reject(error)
      })
    const onAbort = () => stop(cancelled())
    const timer = opts.timeoutMs
      ? setTimeout(
          () =>
            stop(
              commandTimedOut(opts.where ?? 'the VM', opts.timeoutMs!),
            ),
          opts.timeoutMs,
        )
      : undefined
    let quiet: ReturnType<typeof setTimeout> | undefined
    const heard = () => {
      if (opts.quietMs === undefined) return
      clearTimeout(quiet)
      quiet = setTimeout(() => stop(commandQuiet(opts.where ?? 'the VM', opts.quietMs!)), opts.quietMs)
    }
    heard()
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    const limit = opts.maxOutputBytes ?? MAX_OUTPUT_BYTES
    let kept = 0
    const keep = (into: Buffer[]) => (d: Buffer) => {
      if (settled) return
      heard()
      kept += d.length
      if (kept <= limit) into.push(d)
      else stop(tooMuchOutput(opts.where ?? 'the VM', limit))
    }
    ch.on('data', keep(out))
    ch.stderr.on('data', keep(err))
    ch.on('close', () =>
      finish(() => {
        const { code, signal } = exitOf(ch) ?? { code: null, signal: null }
        if (code === null && signal === null) {
          reject(new CalError('SSH_DISCONNECTED', `The SSH connection to ${opts.where ?? 'the VM'} closed before a command there finished.`, 'Check that the VM is still running, then try again.'))
          return
        }
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code: code ?? 128 + 9 })
      }),
    )
    if (opts.stdin !== undefined) ch.end(opts.stdin)
    else ch.end()
  })
}

/**
 * Run `command` on a PTY and type `secret` (then Return) once its output ends with `prompt`, as a person would at a
 * password prompt: the secret goes through the terminal, never on a command line, and the terminal does not echo
 * it. Resolves with the exit code; what the command printed is not kept (it is never logged).
 */
export async function answerOnPty(client: Client, command: string, prompt: RegExp, secret: string, timeoutMs: number): Promise<number> {
  const ch = await openExec(client, command, { cols: 80, rows: 24 })
  return new Promise<number>((resolve, reject) => {
    let seen = ''
    let answered = false
    const timer = setTimeout(() => {
      stopRemote(ch)
      ch.close()
      reject(new CalError('SSH_TIMEOUT', answered ? `The command did not finish within ${timeoutMs / 1000} s.` : `No password prompt came within ${timeoutMs / 1000} s.`, 'It was stopped.'))
    }, timeoutMs)
    ch.on('data', (d: Buffer) => {
      if (answered) return
      seen = (seen + d.toString('utf8')).slice(-512)
      if (!prompt.test(seen)) return
      answered = true
      ch.write(`${secret}\r`)
    })
    ch.on('close', () => {
      clearTimeout(timer)
      const exit = exitOf(ch)
      if (!exit) reject(new CalError('SSH_DISCONNECTED', 'The SSH connection closed before the command finished.', 'Check that the VM is still running, then try again.'))
      else resolve(exit.code ?? 128 + 9)
    })
  })
}

type ChannelInternals = { outgoing?: { id: number; state: string }; _client?: { _protocol?: { signal(id: number, sig: string): void } } }

/**
 * Send SIGKILL to the remote command (sshd kills its process group). ssh2's channel.signal() refuses once we
 * have sent EOF on stdin, which every exec does, so the request goes through the protocol object directly.
 */
export function stopRemote(ch: ClientChannel): void {
  const c = ch as unknown as ChannelInternals
  try {
    if (c.outgoing && (c.outgoing.state === 'open' || c.outgoing.state === 'eof')) c._client?._protocol?.signal(c.outgoing.id, 'KILL')
    else ch.signal('KILL')
  } catch {
    // The channel is already gone; closing it is enough.
  }
}

/** A command that printed more than `limit` bytes (and was stopped). */
function tooMuchOutput(where: string, limit: number): CalError {
  return new CalError(
    'INTERNAL',
    `A command in ${where} printed more than ${limit >= 1 << 20 ? `${Math.round(limit / (1 << 20))} MB` : `${Math.round(limit / 1024)} KB`}, more than CAL reads from one command; it was stopped.`,
    "Something in the VM's login shell may print on every command (~/.zprofile, ~/.zshrc, ~/.bash_profile, ~/.bashrc): open a terminal on the VM and look.",
    { limit },
  )
}

/** A command that ran past its time limit (and was stopped). */
export function commandTimedOut(where: string, timeoutMs: number): CalError {
  return new CalError('SSH_TIMEOUT', `A command in ${where} did not finish within ${seconds(timeoutMs)}.`, 'It was stopped; try again, or check whether the VM is overloaded.', { timeoutMs, stage: 'command' })
}

/** A command that printed nothing for `quietMs` (see ExecOptions.quietMs), and was stopped. */
export function commandQuiet(where: string, quietMs: number): CalError {
  return new CalError('SSH_TIMEOUT', `A command in ${where} printed nothing for ${seconds(quietMs)}.`, 'It was stopped; try again, or check whether the VM is overloaded.', { quietMs, stage: 'command' })
}

export function seconds(ms: number): string {
  if (ms >= 120_000 && ms % 60_000 === 0) return `${ms / 60_000} min`
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`
}

export function cancelled(): CalError {
  return new CalError('CANCELLED', 'The remote command was cancelled.')
}
