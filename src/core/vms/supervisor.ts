import { open, readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { execa } from 'execa'
import type { FactsStore, RunRecord } from '../store/facts'
import type { RunOptions, TartDriver } from '../tart/driver'
import { makeDirs } from '../store/make-dirs'

export interface RunExit {
  code: number | null
  signal: string | null
}

export const RUN_MARKER = '--- cal: tart run started '

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Sends `signal` to `pid`; false when the process has already gone (ESRCH), e.g. a run that ended between
 * CAL's check and the signal. Any other failure (EPERM) is thrown.
 */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw err
  }
}

/**
 * Whether a `ps -o args=` line is a `tart run` of NAME: the tart executable (or a script of that name run by an
 * interpreter), `run` as its subcommand, and the VM name right after it (how CAL starts it: `tart run NAME
 * --no-graphics …`) or last (`tart run --no-graphics NAME`, as Tart's help writes it). A reused PID of some other
 * program whose arguments merely contain "run" and the name (`npm run dev`) must not count.
 */
export function isTartRunArgs(args: string, name: string, tartPath = 'tart'): boolean {
  const words = args.trim().split(/\s+/)
  const tartNames = new Set(['tart', basename(tartPath)])
  const i = words.findIndex((w) => tartNames.has(basename(w)))
  return i >= 0 && words[i + 1] === 'run' && words.length > i + 2 && (words[i + 2] === name || words[words.length - 1] === name)
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * Starts `tart run` detached (its own process group, output appended to CAL_HOME/logs/NAME.log) so VMs keep
 * running when the app or CLI exits, and records its PID under CAL_HOME/run so any CAL process can later ask
 * it to stop (SIGUSR2: Tart's "Requesting guest OS to stop...") or suspend.
 */
export class RunSupervisor {
  /** Exit promises of the runs this process started. */
  private readonly exits = new Map<number, Promise<RunExit>>()

  constructor(
    private readonly tart: TartDriver,
    private readonly facts: FactsStore,
  ) {}

  async spawn(name: string, opts: RunOptions): Promise<{ pid: number; exited: Promise<RunExit>; logPath: string; logOffset: number }> {
    const logPath = this.facts.logPath(name)
    await makeDirs(this.facts.paths.logs)
    const fh = await open(logPath, 'a', 0o600)
    try {
      const logOffset = (await fh.stat()).size
      await fh.write(`${RUN_MARKER}${new Date().toISOString()} ---\n`)
      const child = this.tart.spawnRun(name, opts, fh.fd)
      const exited: Promise<RunExit> = child.then(
        (r) => ({ code: r.exitCode ?? null, signal: r.signal ?? null }),
        () => ({ code: null, signal: null }),
      )
      child.unref()
      const pid = child.pid
      if (pid === undefined) {
        const r = await child
        throw Object.assign(new Error(r.message), { code: r.code })
      }
      this.exits.set(pid, exited)
      void exited.then(() => this.exits.delete(pid))
      const rec: RunRecord = { pid, startedAt: new Date().toISOString(), suspendable: !!opts.suspendable, logPath, ip: null, stopRequested: false }
      try {
        await this.facts.putRun(name, rec)
      } catch (err) {
        // Unrecorded (CAL_HOME full), no CAL process could stop or find this run: it ends here, a VM still booting,
        // rather than run on while the start is said to have failed.
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // gone already
        }
        await exited
        throw err
      }
      return { pid, exited, logPath, logOffset }
    } finally {
      await fh.close()
    }
  }

  /** Is the recorded PID still the `tart run` of this VM (and not a reused PID)? */
  async isOurRun(rec: RunRecord | null, name: string): Promise<boolean> {
    if (!rec || !isAlive(rec.pid)) return false
    if (this.exits.has(rec.pid)) return true
    try {
      const r = await execa('ps', ['-p', String(rec.pid), '-o', 'args='], { reject: false, timeout: 5000 })
      return r.exitCode === 0 && isTartRunArgs(r.stdout, name, this.tart.path)
    } catch {
      return false
    }
  }

  /** Resolves true once the process has gone, false on timeout or abort. */
  async waitExit(pid: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    const own = this.exits.get(pid)
    while (Date.now() < deadline && !signal?.aborted) {
      if (!isAlive(pid)) return true
      if (own) await Promise.race([own, sleep(Math.min(250, deadline - Date.now()), signal)])
      else await sleep(50, signal)
    }
    return !isAlive(pid)
  }

  /** The lines this run wrote (after its start marker), for error messages. */
  async logSince(logPath: string, offset = -1): Promise<string> {
    const text = await readFile(logPath, 'utf8').catch(() => '')
    if (offset >= 0) return text.slice(offset).split('\n').filter((l) => !l.startsWith(RUN_MARKER)).join('\n').trim()
    const i = text.lastIndexOf(RUN_MARKER)
    const tail = i >= 0 ? text.slice(text.indexOf('\n', i) + 1) : text
    return tail.trim().slice(-4000)
  }
}
