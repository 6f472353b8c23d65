import { randomUUID } from 'node:crypto'
import { open, readFile, rm, stat } from 'node:fs/promises'
import { uptime } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { CalError } from '../../shared/errors'
import { withFileLock } from '../store/file-lock'
import { makeDirs } from '../store/make-dirs'

/** Who holds a VM: written into its lock file, shown to the CAL process that finds it busy. */
export interface VmLockOwner {
  pid: number
  /** The operation, as its task is titled ("Restore dev to before-refactor"). */
  title: string
  /** ISO time it started. */
  since: string
  /** When the owning process started (ms since the epoch): a PID reused by another program does not match. */
  started?: number
  /** This holder's own mark: it removes the file only while the file is still its own. */
  token?: string
}

/** `CAL_HOME/run/locks/<vm>.lock`: its own folder, so that no VM name can make it another file's name. */
export function vmLockPath(runDir: string, vm: string): string {
  return join(runDir, 'locks', `${vm}.lock`)
}

const PROCESS_STARTED = Date.now() - process.uptime() * 1000

/**
 * Run `fn` holding VM `vm` against every other CAL process (the app, each `cal` command) that shares this CAL_HOME:
 * two processes starting, stopping, snapshotting, restoring or deleting one VM at once would undo each other's work
 * (a restore renames the VM away while a start boots it). Within one process the engine queues operations per VM
 * (KeyedMutex: call this inside it); across processes a held VM is refused at once (VM_BUSY) rather than waited for,
 * since an operation can take minutes and the user should know why nothing happens. A lock whose process is gone (a
 * crash, a reboot, its PID now another program's) is taken over, by one process only (see takeOver).
 */
export async function withVmLock<T>(runDir: string, vm: string, title: string, fn: () => Promise<T>): Promise<T> {
  const path = vmLockPath(runDir, vm)
  const me: VmLockOwner = { pid: process.pid, title, since: new Date().toISOString(), started: PROCESS_STARTED, token: randomUUID() }
  await acquire(path, vm, me)
  try {
    return await fn()
  } finally {
    const now = await readOwner(path).catch(() => 'gone' as const)
    if (typeof now === 'object' && now.token === me.token) await rm(path, { force: true }).catch(() => undefined)
  }
}

/** Whether some CAL process (this one included) works on `vm` right now, by its lock file. */
export async function vmLockHeld(runDir: string, vm: string): Promise<boolean> {
  const path = vmLockPath(runDir, vm)
  const owner = await readOwner(path).catch(() => 'unreadable' as const)
  if (owner === 'gone') return false
  if (owner === 'unreadable') return !(await olderThan(path, 5_000))
  if (owner.pid === process.pid) return owner.started === undefined || Math.abs(owner.started - PROCESS_STARTED) < 5_000
  return held(path, owner)
}

async function acquire(path: string, vm: string, me: VmLockOwner): Promise<void> {
  try {
    await makeDirs(join(path, '..'), 0o700)
  } catch (err) {
    throw lockError(err, path)
  }
  for (let attempt = 0; ; attempt++) {
    if (await create(path, me)) return
    const owner = await readOwner(path)
    if (owner === 'gone') continue
    if (owner === 'unreadable') {
      // Half-written by a process creating it right now: give it a moment. Still unreadable after seconds: a crash
      // between creating and writing it.
      if (await olderThan(path, 5_000)) await takeOver(path, 'unreadable')
      else if (attempt < 20) await new Promise((r) => setTimeout(r, 25))
      else throw busy(vm, path, null)
      continue
    }
    if (await held(path, owner)) throw busy(vm, path, owner)
    await takeOver(path, owner)
  }
}

/** Create the lock file if there is none; false when one exists. A write that fails (a full disk) leaves nothing. */
async function create(path: string, me: VmLockOwner): Promise<boolean> {
  let fh
  try {
    fh = await open(path, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw lockError(err, path)
  }
  try {
    await fh.writeFile(JSON.stringify(me))
    return true
  } catch (err) {
    await rm(path, { force: true }).catch(() => undefined)
    throw lockError(err, path)
  } finally {
    await fh.close().catch(() => undefined)
  }
}

/**
 * Remove a lock judged abandoned, if it is still the one judged: two processes that both found it abandoned must not
 * both go ahead (the second would remove the lock the first has just made). The check and the removal run under a
 * short lock of their own; whoever then creates the file first holds the VM.
 */
async function takeOver(path: string, judged: VmLockOwner | 'unreadable'): Promise<void> {
  await withFileLock(`${path}.takeover`, async () => {
    const now = await readOwner(path)
    const same =
      now === 'unreadable'
        ? judged === 'unreadable' && (await olderThan(path, 5_000))
        : now !== 'gone' && judged !== 'unreadable' && now.token === judged.token && now.pid === judged.pid && now.since === judged.since
    if (same) await rm(path, { force: true })
  })
}

async function readOwner(path: string): Promise<VmLockOwner | 'gone' | 'unreadable'> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone'
    throw lockError(err, path)
  }
  try {
    const o = JSON.parse(text) as Partial<VmLockOwner>
    if (Number.isInteger(o.pid) && typeof o.title === 'string' && typeof o.since === 'string') return o as VmLockOwner
  } catch {
    // fall through
  }
  return 'unreadable'
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  return stat(path).then(
    (s) => Date.now() - s.mtimeMs > ms,
    () => true,
  )
}

/**
 * Still held: its process runs, it is the process that wrote the lock (not a later program given the same PID), and
 * the file is younger than this boot.
 */
async function held(path: string, owner: VmLockOwner): Promise<boolean> {
  // One process runs one operation per VM at a time (the engine's own queue): a file naming this process is a leftover.
  if (owner.pid === process.pid || owner.pid <= 0) return false
  const written = await stat(path).then(
    (s) => s.mtimeMs,
    () => 0,
  )
  if (written < Date.now() - uptime() * 1000) return false
  try {
    process.kill(owner.pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const started = await processStart(owner.pid)
  // Unknown (no ps, an old lock without the field): alive is held.
  return started === null || owner.started === undefined || Math.abs(started - owner.started) < 5_000
}

/** When process `pid` started, from `ps` (macOS and Linux print lstart in the same local-time format), or null. */
async function processStart(pid: number): Promise<number | null> {
  const r = await execa('ps', ['-o', 'lstart=', '-p', String(pid)], { reject: false, timeout: 5_000, env: { LC_ALL: 'C' } })
  const t = r.exitCode === 0 ? Date.parse(String(r.stdout).trim()) : NaN
  return Number.isNaN(t) ? null : t
}

function busy(vm: string, path: string, owner: VmLockOwner | null): CalError {
  let what = ''
  if (owner) {
    const since = new Date(owner.since)
    const when = since.toDateString() === new Date().toDateString() ? since.toLocaleTimeString() : since.toLocaleString()
    what = `: ${owner.title} (process ${owner.pid}, since ${when})`
  }
  const shown = owner ? { pid: owner.pid, title: owner.title, since: owner.since } : null
  return new CalError(
    'VM_BUSY',
    `Another CAL process is working on "${vm}"${what}.`,
    {
      cli: `Wait for it to finish (the CAL app's Activity view, or the cal command that started it, shows its progress), then try again. If no other CAL app or cal command is running, delete ${path}.`,
      // A lock left by a process that is gone is taken over by itself: the app's user has no file to delete.
      app: 'Wait for it to finish (the Activity view, or the terminal where that cal command runs, shows its progress), then try again.',
    },
    { vm, path, ...(shown ? { owner: shown } : {}) },
  )
}

function lockError(err: unknown, path: string): CalError {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOSPC') return new CalError('DISK_FULL', `The disk is full: CAL could not write ${path}.`, 'Free some space, then try again.', { path })
  return new CalError('INTERNAL', `CAL could not use its lock file ${path}: ${(err as Error).message}.`, `Check that ${join(path, '..')} is writable by you.`, { path })
}
