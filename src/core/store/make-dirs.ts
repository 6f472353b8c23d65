import { mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * `mkdir -p`, one level at a time from the deepest folder that exists. Node's own `{ recursive: true }` loops for
 * ever where the kernel answers ENOENT for a child of a folder that exists (under /proc, say): CAL_HOME pointed
 * there left `cal` spinning at full CPU with no output. Here every error comes back as it is.
 */
export function makeDirsSync(path: string, mode?: number): void {
  const missing: string[] = []
  for (let p = path; ; p = dirname(p)) {
    let st: ReturnType<typeof statSync> | null = null
    try {
      st = statSync(p)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    if (st && p === path && !st.isDirectory()) throw notAFolder(p)
    if (st) break
    if (dirname(p) === p) break
    missing.unshift(p)
  }
  for (const p of missing) {
    try {
      mkdirSync(p, { mode })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
}

/** What Node's own mkdir says of a path taken by a file. */
function notAFolder(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EEXIST: file already exists, mkdir '${path}'`), { code: 'EEXIST', path })
}

/** makeDirsSync for async callers: a few stat and mkdir calls on a local folder, not worth a second copy of the walk. */
export async function makeDirs(path: string, mode?: number): Promise<void> {
  makeDirsSync(path, mode)
}

/**
 * The path itself, or the nearest existing path above it, when that is not a folder (a file in the way of CAL_HOME);
 * null when it is a folder, or nothing above it exists.
 */
export function fileInTheWay(path: string): string | null {
  for (let p = path; ; p = dirname(p)) {
    try {
      return statSync(p).isDirectory() ? null : p
    } catch {
      // Missing (made on first use): look further up. Anything else is reported by whoever meets it.
      if (dirname(p) === p) return null
    }
  }
}
