import { existsSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { CalError } from '../../shared/errors'
import { mapTartFailure, tartInterpreterMissing, tartNotFound, tartNotRunnable } from './errors'
import { LineSplitter, parseCompressedSize, parseGet, parseList, parsePercentLine, parseVersion } from './parse'
import type { PullProgress, TartCallOptions, TartListEntry, TartSetOptions, TartVmDetails } from './types'

/** Names CAL hands to Tart: the VmName alphabet, longer allowed for snapshot clones ("vm.snap.name"). */
const TART_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/
const DEFAULT_TIMEOUT_MS = 60_000
/** How long a Tart asked to stop (SIGTERM to its process group) has before it is killed. */
const KILL_AFTER_MS = 5_000

/**
 * Tart calls still running, by pid. Each leads a process group of its own: a terminal's Ctrl+C reaches cal, which
 * cancels (or, during a step that must not be cut, finishes) the task itself, rather than every Tart under it at
 * once. The groups go with this process when it exits, as execa's own clean-up would have ended them.
 */
const liveGroups = new Set<number>()
let exitHooked = false

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

type TartOutcome = { failed: boolean; code?: string; exitCode?: number; signal?: string; stdout: unknown; stderr: unknown; timedOut: boolean; isCanceled: boolean }

/**
 * Runs Tart in a process group of its own. On the time limit or the signal, the whole group is asked to stop, then
 * killed: a Tart wrapper script's own children (which hold its output open) go too, where execa's timeout ended only
 * the script and then waited for ever on the output.
 */
function runTart(path: string, args: string[], env: NodeJS.ProcessEnv, opts: { signal?: AbortSignal; timeoutMs: number }) {
  const child = execa(path, args, { reject: false, env, extendEnv: false, stdin: 'ignore', detached: true })
  const pid = child.pid
  const ended = { timedOut: false, cancelled: false }
  let kill: ReturnType<typeof setTimeout> | undefined
  const stop = () => {
    if (pid === undefined || kill) return
    killGroup(pid, 'SIGTERM')
    kill = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_AFTER_MS)
  }
  const timer = setTimeout(() => {
    ended.timedOut = true
    stop()
  }, opts.timeoutMs)
  const onAbort = () => {
    ended.cancelled = true
    stop()
  }
  if (opts.signal?.aborted) onAbort()
  else opts.signal?.addEventListener('abort', onAbort, { once: true })
  if (pid !== undefined) {
    liveGroups.add(pid)
    if (!exitHooked) {
      exitHooked = true
      process.once('exit', () => liveGroups.forEach((p) => killGroup(p, 'SIGTERM')))
    }
  }
  const done: Promise<TartOutcome> = child.then((r) => {
    clearTimeout(timer)
    clearTimeout(kill)
    opts.signal?.removeEventListener('abort', onAbort)
    if (pid !== undefined) liveGroups.delete(pid)
    return { ...r, timedOut: ended.timedOut, isCanceled: ended.cancelled }
  })
  return { child, done }
}

export function assertTartName(name: string): string {
  if (!TART_NAME.test(name) || name.includes('..')) {
    throw new CalError('NAME_INVALID', `"${name}" is not a valid name.`, 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit.')
  }
  return name
}

/** `--tart PATH`, else CAL_TART, else `tart` on PATH. */
export function resolveTartPath(explicit?: string | null, env: NodeJS.ProcessEnv = process.env): string {
  return explicit || env.CAL_TART || 'tart'
}

function isFolder(path: string): boolean {
  try {
    return path.includes('/') && statSync(path).isDirectory()
  } catch {
    return false
  }
}

export function tartHomeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TART_HOME || join(homedir(), '.tart')
}

export interface RunOptions {
  noGraphics?: boolean
  suspendable?: boolean
  /** `--dir` values, e.g. `cal-output:/Users/me/cal-output/dev`. */
  dirs?: string[]
}

export type TartPathSource = string | null | undefined | (() => string | null | undefined)

/** Typed calls for every Tart verb CAL uses: argument arrays, AbortSignal, timeouts, errors mapped to CalError. */
export class TartDriver {
  readonly env: NodeJS.ProcessEnv
  private readonly tartPath: TartPathSource

  /** `tartPath` may be a function, read at every call, so a Tart path changed in Settings applies at once. */
  constructor(opts: { tartPath?: TartPathSource; env?: NodeJS.ProcessEnv } = {}) {
    this.env = opts.env ?? process.env
    this.tartPath = opts.tartPath
  }

  get path(): string {
    return resolveTartPath(typeof this.tartPath === 'function' ? this.tartPath() : this.tartPath, this.env)
  }

  get home(): string {
    return tartHomeDir(this.env)
  }

  /**
   * Whether `$TART_HOME/vms/NAME` exists (reference §2.1: Tart's documented layout). A fast "is this name taken"
   * check without a `tart list` process; a partial directory counts as taken, which is the safe answer.
   */
  localDirExists(name: string): boolean {
    return existsSync(join(this.home, 'vms', assertTartName(name)))
  }

  /** `state.vzvmsave` present: the VM (or snapshot clone) holds suspended memory state (reference §2.3). */
  hasSavedState(name: string): boolean {
    return existsSync(join(this.home, 'vms', assertTartName(name), 'state.vzvmsave'))
  }

  /** One Tart call; resolves with stdout, throws a mapped CalError on any failure. */
  async call(args: string[], opts: TartCallOptions = {}): Promise<string> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const r = await runTart(this.path, args, this.env, { signal: opts.signal, timeoutMs }).done
    if (!r.failed) return String(r.stdout)
    throw this.failure(args, r, timeoutMs)
  }

  private failure(args: readonly string[], r: TartOutcome, timeoutMs: number): CalError {
    if (r.code === 'ENOENT') return tartInterpreterMissing(this.path, this.env) ?? tartNotFound(this.path)
    if (r.code === 'EACCES') return tartNotRunnable(this.path, isFolder(this.path))
    // First the time limit: CAL ends a Tart that overran it with SIGTERM, which is not the user's cancel.
    if (r.timedOut) {
      return new CalError('TART_FAILED', `tart ${args[0]} did not finish within ${Math.round(timeoutMs / 1000)} s.`, 'Tart may be stuck; check `tart list` and try again.', { command: ['tart', ...args].join(' ') })
    }
    if (r.isCanceled) return new CalError('CANCELLED', `tart ${args[0]} was cancelled.`)
    // Tart runs in a group of its own (see runTart): a terminal's Ctrl+C does not reach it, so a signal came from
    // elsewhere, and CAL did not ask for it.
    if (r.signal) {
      return new CalError('TART_FAILED', `tart ${args[0]} was stopped by ${r.signal}, which CAL did not send.`, 'Something else on this Mac stopped it; try again.', { command: ['tart', ...args].join(' '), signal: r.signal })
    }
    return mapTartFailure({ args, exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') })
  }

  async version(opts?: TartCallOptions): Promise<string> {
    return parseVersion(await this.call(['--version'], opts))
  }

  async list(opts?: TartCallOptions & { source?: 'local' | 'oci' }): Promise<TartListEntry[]> {
    const args = ['list', '--format', 'json']
    if (opts?.source) args.push('--source', opts.source)
    return parseList(await this.call(args, opts))
  }

  async get(name: string, opts?: TartCallOptions): Promise<TartVmDetails> {
    return parseGet(await this.call(['get', assertTartName(name), '--format', 'json'], opts))
  }

  async exists(name: string, opts?: TartCallOptions): Promise<boolean> {
    const all = await this.list({ ...opts, source: 'local' })
    return all.some((e) => e.name === name)
  }

  /**
   * Tart silently replaces an existing VM on clone (reference §2.2); CAL never does unless asked.
   * `source` may be a local VM or an image reference (Tart pulls it if not cached).
   */
  async clone(source: string, target: string, opts: TartCallOptions & { replace?: boolean } = {}): Promise<void> {
    assertTartName(target)
    if (!opts.replace && (await this.exists(target, opts))) {
      throw new CalError('VM_EXISTS', `A VM named "${target}" already exists.`, 'Pick another name, or delete the existing VM first.', { vm: target })
    }
    await this.call(['clone', source, target], { timeoutMs: 30 * 60_000, ...opts })
  }

  async set(name: string, s: TartSetOptions, opts?: TartCallOptions): Promise<void> {
    const args = ['set', assertTartName(name)]
    if (s.cpu !== undefined) args.push('--cpu', String(s.cpu))
    if (s.memoryMb !== undefined) args.push('--memory', String(s.memoryMb))
    if (s.diskGb !== undefined) args.push('--disk-size', String(s.diskGb))
    if (s.randomMac) args.push('--random-mac')
    if (s.randomSerial) args.push('--random-serial')
    if (args.length === 2) return
    await this.call(args, opts)
  }

  /** `tart ip --wait N`: polls once a second inside Tart; even `--wait 0` takes about a second to fail. */
  async ip(name: string, opts: TartCallOptions & { waitSeconds?: number } = {}): Promise<string> {
    const wait = Math.max(0, Math.min(65535, Math.round(opts.waitSeconds ?? 0)))
    const out = await this.call(['ip', assertTartName(name), '--wait', String(wait)], { timeoutMs: (wait + 15) * 1000, ...opts })
    return out.trim()
  }

  /** Hard stop: SIGINT to `tart run` (VZ stop), SIGKILL after `timeoutSeconds`. */
  async stop(name: string, opts: TartCallOptions & { timeoutSeconds?: number } = {}): Promise<void> {
    const t = opts.timeoutSeconds ?? 5
    await this.call(['stop', assertTartName(name), '--timeout', String(t)], { timeoutMs: (t + 15) * 1000, ...opts })
  }

  /** Sends SIGUSR1 and returns at once; the run process saves state.vzvmsave and exits on its own. */
  async suspend(name: string, opts?: TartCallOptions): Promise<void> {
    await this.call(['suspend', assertTartName(name)], opts)
  }

  async delete(name: string, opts?: TartCallOptions): Promise<void> {
    await this.call(['delete', assertTartName(name)], { timeoutMs: 5 * 60_000, ...opts })
  }

  async rename(from: string, to: string, opts?: TartCallOptions): Promise<void> {
    await this.call(['rename', assertTartName(from), assertTartName(to)], opts)
  }

  /**
   * `tart pull` with percent progress. `beforeDisk` sees the compressed size as soon as Tart announces it
   * and may throw (e.g. DISK_FULL) to abort the pull before it fills the disk.
   */
  async pull(ref: string, opts: TartCallOptions & { onProgress?: (p: PullProgress) => void; onLine?: (line: string) => void; beforeDisk?: (compressedGb: number) => Promise<void> } = {}): Promise<void> {
    const inner = new AbortController()
    const onOuterAbort = () => inner.abort()
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true })
    let refusal: unknown = null
    let compressedGb: number | null = null
    const { child, done } = runTart(this.path, ['pull', ref], this.env, { signal: inner.signal, timeoutMs: opts.timeoutMs ?? 4 * 60 * 60_000 })
    const splitter = new LineSplitter((line) => {
      const pct = parsePercentLine(line)
      if (pct !== null) {
        opts.onProgress?.({ percent: pct, compressedGb })
        return
      }
      const size = parseCompressedSize(line)
      if (size !== null) {
        compressedGb = size
        opts.beforeDisk?.(size).catch((err: unknown) => {
          refusal = err
          inner.abort()
        })
      }
      if (line.trim()) opts.onLine?.(line.trim())
    })
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (c: string) => splitter.push(c))
    try {
      const r = await done
      splitter.end()
      if (refusal) throw refusal
      if (r.failed) throw this.failure(['pull', ref], r, opts.timeoutMs ?? 4 * 60 * 60_000)
    } finally {
      opts.signal?.removeEventListener('abort', onOuterAbort)
    }
  }

  /**
   * Starts `tart run` as a detached process writing to `logFd`, so the VM outlives the app or CLI.
   * The caller supervises it (exit event, PID record); nothing is printed on a successful start.
   */
  spawnRun(name: string, run: RunOptions, logFd: number) {
    const args = ['run', assertTartName(name)]
    if (run.noGraphics !== false) args.push('--no-graphics')
    if (run.suspendable) args.push('--suspendable')
    for (const d of run.dirs ?? []) args.push(`--dir=${d}`)
    return execa(this.path, args, {
      reject: false,
      env: this.env,
      extendEnv: false,
      detached: true,
      stdin: 'ignore',
      // A raw fd, so the VM's output goes straight to the log file with no pipe through this process (which may exit).
      // execa's types only list fds 3–9 for this; any open fd works at runtime.
      stdout: logFd as 3,
      stderr: logFd as 3,
      cleanup: false,
      buffer: false,
    })
  }
}
