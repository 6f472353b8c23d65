import { statfs } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CalError, type Hint } from '../../shared/errors'

const PRUNE = "prune Tart's cache with `tart prune --entries caches --older-than 7`"

/** What to do when Tart's disk is full; `then` ends the sentence, in each wording. */
export function freeSpaceHint(then: Hint = { cli: ' and try again.', app: ' and try again.' }): Hint {
  return {
    cli: `Free some space (delete old snapshots with \`cal snapshot delete\`, or ${PRUNE})${then.cli}`,
    app: `Free some space (delete old snapshots from a VM's Snapshots tab, or ${PRUNE})${then.app}`,
  }
}

export type FreeSpace = (path: string) => Promise<number | null>

/** Free bytes for an unprivileged writer on the filesystem holding `path` (or its nearest existing parent). */
export const freeBytes: FreeSpace = async (path) => {
  let p = path
  for (;;) {
    try {
      const s = await statfs(p)
      return s.bavail * s.bsize
    } catch {
      const up = dirname(p)
      if (up === p) return null
      p = up
    }
  }
}

const GB = 1e9

/**
 * A macOS image's disk unpacks to more than its compressed layers; Tart's own pruning reserves the
 * uncompressed size. CAL does not know that size before the pull, so it estimates 1.5 × compressed + 2 GB.
 */
export function estimatePullBytes(compressedGb: number): number {
  return Math.ceil((compressedGb * 1.5 + 2) * GB)
}

export async function assertFreeSpace(path: string, neededBytes: number, what: string, free: FreeSpace = freeBytes): Promise<void> {
  const have = await free(path)
  if (have === null || have >= neededBytes) return
  throw new CalError(
    'DISK_FULL',
    `Not enough disk space for ${what}: it needs about ${(neededBytes / GB).toFixed(1)} GB and only ${(have / GB).toFixed(1)} GB is free.`,
    freeSpaceHint(),
    { neededBytes, freeBytes: have, path },
  )
}
