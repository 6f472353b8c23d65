import { open, readFile, rm, stat } from 'node:fs/promises'
import { CalError } from '../../shared/errors'

/** A lock older than this whose owner is gone (a crash) is taken over. */
const STALE_MS = 10_000

/**
 * Run `fn` holding `lockPath`, an exclusive lock file created beside the data it guards: a read-modify-write in
 * `fn` is then safe across processes (the app and the `cal` CLI share CAL_HOME), not only within one.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx', 0o600)
      await fh.writeFile(String(process.pid)).finally(() => fh.close())
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      if (await abandoned(lockPath)) {
        await rm(lockPath, { force: true })
        continue
      }
      if (Date.now() > deadline) {
        throw new CalError('INTERNAL', `Another CAL process has held ${lockPath} for over ${timeoutMs / 1000} s.`, `If no other CAL (app or cal command) is running, delete ${lockPath} and try again.`, { path: lockPath })
      }
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 20))
    }
  }
  try {
    return await fn()
  } finally {
    await rm(lockPath, { force: true })
  }
}

/** Left behind: old, and its owner (the pid written in it) no longer runs. */
async function abandoned(lockPath: string): Promise<boolean> {
  const age = await stat(lockPath).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  )
  if (age < STALE_MS) return false
  const pid = Number(await readFile(lockPath, 'utf8').catch(() => ''))
  if (!Number.isInteger(pid) || pid <= 0) return true
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
