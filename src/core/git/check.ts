import { CalError } from '../../shared/errors'
import { seconds } from '../ssh/exec'
import type { RemoteExec } from './remote-exec'
import { parseGitScan, type GitCheckReport } from './report'
import { gitScanCommand, OUTSIDE_VM, SHARED_ROOTS } from './script'

/**
 * How long the check may print nothing before it is stopped (it prints as it goes: one repository's git commands, or
 * the search for repositories, ran that long), and how long it may run in all. A fixed 60 s for the whole run failed
 * every check of a VM with a few thousand repositories, each time, as "VM unreachable".
 */
export const GIT_CHECK_QUIET_MS = 60_000
export const GIT_CHECK_MAX_MS = 15 * 60_000

/** One SSH exec that scans the VM's repositories for work that exists nowhere else, and says where it looked. */
export async function checkGitSafety(
  exec: RemoteExec,
  vm: string,
  opts: { timeoutMs?: number; quietMs?: number; signal?: AbortSignal; /** Folders not on the VM's own disk (tests name theirs). */ outsideVm?: readonly string[] } = {},
): Promise<GitCheckReport> {
  const r = await exec(vm, gitScanCommand(SHARED_ROOTS, opts.outsideVm ?? OUTSIDE_VM), {
    timeoutMs: opts.timeoutMs ?? GIT_CHECK_MAX_MS,
    quietMs: opts.quietMs ?? GIT_CHECK_QUIET_MS,
    signal: opts.signal,
  }).catch((err: unknown) => Promise.reject(stopped(vm, CalError.from(err))))
  if (r.code !== 0 && !r.stdout.includes('DONE')) {
    throw new CalError('INTERNAL', `The git safety check in "${vm}" failed (exit ${r.code}).`, { cli: 'Connect with `cal ssh` and check that the login shell works.', app: 'Open a terminal on it and check that the login shell works.' }, {
      stderr: r.stderr.slice(-2000),
    })
  }
  return parseGitScan(vm, r.stdout)
}

/**
 * The check stopped at a time limit, said as what it is: not an unreachable VM (exit 9 in the CLI), but a check that
 * could not finish, so nothing was changed. A VM that did not answer at all stays as it was said.
 */
function stopped(vm: string, err: CalError): CalError {
  if (err.code !== 'SSH_TIMEOUT' || err.details?.stage !== 'command') return err
  const quiet = typeof err.details.quietMs === 'number'
  const what = quiet
    ? `made no progress for ${seconds(err.details.quietMs as number)}: git may be stuck on one repository (a hook or filter that waits, a network folder)`
    : `did not finish within ${seconds(err.details.timeoutMs as number)}`
  return new CalError(
    'INTERNAL',
    `The git safety check in "${vm}" ${what}. It was stopped, and nothing was changed.`,
    {
      cli: `Try again. If it stops again, look for the git command that waits: \`cal ssh ${vm} -- ps ax\`.`,
      app: 'Try again. If it stops again, open a terminal on it and look for the git command that waits (ps ax).',
    },
    { ...err.details, vm },
  )
}
