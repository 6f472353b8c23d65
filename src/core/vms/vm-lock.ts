import { mkdir, open, readFile, rm, stat } from 'node:fs/promises'
import { uptime } from 'node:os'
import { join } from 'node:path'
import { CalError } from '../../shared/errors'

/** Who holds a VM: written into its lock file, shown to the CAL process that finds it busy. */
export interface VmLockOwner {
  pid: number
  /** The operation, as its task is titled ("Restore dev to before-refactor"). */
  title: string
  /** ISO time it started. */
  since: string
}

/** `CAL_HOME/run/locks/<vm>.lock`: its own folder, so that no VM name can make it another file's name. */
export function vmLockPath(runDir: string, vm: string): string {
  return join(runDir, 'locks', `${vm}.lock`)
}

/**
 * Run `fn` holding VM `vm` against every other CAL process (the app, each `cal` command) that shares this CAL_HOME:
 * two processes starting, stopping, snapshotting, restoring or deleting one VM at once would undo each other's work
 * (a restore renames the VM away while a start boots it). Within one process the engine already queues operations
 * per VM; across processes a held VM is refused at once (VM_BUSY) rather than waited for, since an operation can
 * take minutes and the user should know why nothing happens. A lock whose process is gone (a crash, a reboot) is
 * taken over.
 */
export async function withVmLock<T>(runDir: string, vm: string, title: string, fn: () => Promise<T>): Promise<T> {
  const path = vmLockPath(runDir, vm)
  await acquire(path, vm, { pid: process.pid, title, since: new Date().toISOString() })
  try {
    return await fn()
  } finally {
    await rm(path, { force: true }).catch(() => undefined)
  }
}

async function acquire(path: string, vm: string, me: VmLockOwner): Promise<void> {
  try {
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 })
  } catch (err) {
    throw lockError(err, path)
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600)
      try {
        await fh.writeFile(JSON.stringify(me))
      } finally {
        await fh.close()
      }
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(err, path)
    }
    const owner = await readOwner(path)
    if (owner === 'gone') continue
    if (owner === 'unreadable') {
      // Half-written by a process creating it right now: give it a moment. Still unreadable after seconds: a crash
      // between creating and writing it.
      if (await olderThan(path, 5_000)) await rm(path, { force: true })
      else if (attempt < 20) await new Promise((r) => setTimeout(r, 25))
      else throw busy(vm, path, null)
      continue
    }
    if (await held(path, owner)) throw busy(vm, path, owner)
    await rm(path, { force: true })
  }
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

/** Still held: its process runs, and the file is younger than this boot (a PID from before a reboot means nothing). */
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
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function busy(vm: string, path: string, owner: VmLockOwner | null): CalError {
  const what = owner ? `: ${owner.title} (process ${owner.pid}, since ${new Date(owner.since).toLocaleTimeString()})` : ''
  return new CalError(
    'VM_BUSY',
    `Another CAL process is working on "${vm}"${what}.`,
    `Wait for it to finish (the CAL app's Activity view, or the cal command that started it, shows its progress), then try again. If no other CAL app or cal command is running, delete ${path}.`,
    { vm, path, ...(owner ? { owner } : {}) },
  )
}

function lockError(err: unknown, path: string): CalError {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOSPC') return new CalError('DISK_FULL', `The disk is full: CAL could not write ${path}.`, 'Free some space, then try again.', { path })
  return new CalError('INTERNAL', `CAL could not use its lock file ${path}: ${(err as Error).message}.`, `Check that ${join(path, '..')} is writable by you.`, { path })
}
