import { execa } from 'execa'
import type { SshPool } from '../../src/core/ssh/pool'
import { clientKeyPath, knownHostsPath } from '../../src/core/ssh/keys'
import { OutputBatcher } from '../../src/core/terminal/batcher'

export interface Rate {
  bytes: number
  ms: number
}

/** ssh2 channel → OutputBatcher (flushes counted as if sent): first byte to last. */
export async function ssh2Rate(pool: SshPool, vm: string, command: string): Promise<Rate> {
  const ch = await pool.channel(vm, command)
  let t0 = 0
  let bytes = 0
  let flushed = 0
  const batcher = new OutputBatcher((d) => {
    flushed += d.length
  })
  await new Promise<void>((resolve) => {
    ch.on('data', (d: Buffer) => {
      if (!t0) t0 = performance.now()
      bytes += d.length
      batcher.write(d)
    })
    ch.on('close', () => resolve())
  })
  batcher.dispose()
  const ms = performance.now() - t0
  if (flushed !== bytes) throw new Error(`batcher lost bytes: ${flushed} of ${bytes}`)
  return { bytes, ms }
}

/** The OpenSSH client with the same key and pinned host key, its stdout read through a pipe: first byte to last. */
export async function opensshRate(calHome: string, host: string, command: string): Promise<Rate> {
  const child = execa(
    'ssh',
    ['-i', clientKeyPath(calHome), '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${knownHostsPath(calHome)}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `admin@${host}`, command],
    { buffer: false, stdin: 'ignore', stderr: 'inherit' },
  )
  let t0 = 0
  let t1 = 0
  let bytes = 0
  child.stdout.on('data', (d: Buffer) => {
    if (!t0) t0 = performance.now()
    bytes += d.length
    t1 = performance.now()
  })
  await child
  return { bytes, ms: t1 - t0 }
}
