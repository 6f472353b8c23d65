import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A `tart` that knows one running VM, `dev` at `ip`, and answers only what listing VMs asks (list, get, ip):
 * enough for the shell's tests to give the engine a VM address without the simulated host (which needs root).
 * With `gate`, it answers nothing until that file exists (a Tart stuck or slow to answer).
 */
export function writeFakeTart(dir: string, ip = '127.0.64.2', gate?: string): string {
  const path = join(dir, 'tart')
  const list = JSON.stringify([{ Source: 'local', Name: 'dev', Disk: 80, Size: 20, State: 'running' }])
  const get = JSON.stringify({ OS: 'darwin', CPU: 4, Memory: 8192, Disk: 80, Size: '20.000', Display: '1024x768', State: 'running' })
  const script = [
    '#!/bin/sh',
    ...(gate ? [`while [ ! -e '${gate}' ]; do sleep 0.05; done`] : []),
    'case "$1" in',
    `  list) echo '${list}' ;;`,
    `  get) echo '${get}' ;;`,
    `  ip) echo '${ip}' ;;`,
    "  --version) echo '2.31.0' ;;",
    "  *) echo \"fake tart: $1 is not simulated\" >&2; exit 1 ;;",
    'esac',
    '',
  ].join('\n')
  writeFileSync(path, script)
  chmodSync(path, 0o755)
  return path
}
