import { CalError } from '../../shared/errors'
import type { RemoteExec } from './remote-exec'
import { parseGitScan, type GitCheckReport } from './report'
import { gitScanCommand, OUTSIDE_VM, SHARED_ROOTS } from './script'

/** One SSH exec that scans the VM's repositories for work that exists nowhere else, and says where it looked. */
export async function checkGitSafety(
  exec: RemoteExec,
  vm: string,
  opts: { timeoutMs?: number; signal?: AbortSignal; /** Folders not on the VM's own disk (tests name theirs). */ outsideVm?: readonly string[] } = {},
): Promise<GitCheckReport> {
  const r = await exec(vm, gitScanCommand(SHARED_ROOTS, opts.outsideVm ?? OUTSIDE_VM), { timeoutMs: opts.timeoutMs ?? 60_000, signal: opts.signal })
  if (r.code !== 0 && !r.stdout.includes('DONE')) {
    throw new CalError('INTERNAL', `The git safety check in "${vm}" failed (exit ${r.code}).`, { cli: 'Connect with `cal ssh` and check that the login shell works.', app: 'Open a terminal on it and check that the login shell works.' }, {
      stderr: r.stderr.slice(-2000),
    })
  }
  return parseGitScan(vm, r.stdout)
}
