import { CalError } from '../../shared/errors'
import type { GitSafetyReport } from '../../shared/git'
import { checkGitSafety } from '../git/check'
import { repoAtRisk } from '../git/report'
import type { VmContext } from './context'

/**
 * Before restore, delete and re-init: run the git safety check in the VM. Work at risk (or a VM that cannot be
 * checked because it is not running) needs explicit confirmation; the error carries the report for the UI/CLI.
 */
export async function guardDestructive(ctx: VmContext, vm: string, action: string, confirmed: boolean, signal?: AbortSignal): Promise<GitSafetyReport | null> {
  if (confirmed) return null
  const d = await ctx.tart.get(vm, { signal })
  if (d.state !== 'running') {
    throw new CalError(
      'CONFIRMATION_REQUIRED',
      `"${vm}" is ${d.state}, so CAL cannot check it for unsaved git work before the ${action}.`,
      {
        cli: `Start it and run \`cal check ${vm}\` first, or confirm the ${action} (--yes).`,
        app: `Start it so that CAL can check it first, or confirm the ${action} to go ahead without the check.`,
      },
      { vm, action, checked: false },
    )
  }
  let report: GitSafetyReport
  try {
    report = await checkGitSafety(ctx.exec, vm, { signal })
  } catch (err) {
    const e = CalError.from(err)
    if (e.code === 'CANCELLED') throw e
    // The check could not run (SSH down, a broken login shell, a timeout): like a stopped VM, the user may still go
    // ahead knowingly, rather than be stuck until the VM answers.
    throw new CalError(
      'CONFIRMATION_REQUIRED',
      `CAL could not check "${vm}" for unsaved git work before the ${action}: ${e.message.replace(/\.$/, '')}.`,
      {
        cli: `${e.hint ? `${e.hint} ` : ''}Then run \`cal check ${vm}\`, or confirm the ${action} (--yes) to go ahead without the check.`,
        app: `${e.hints.app ? `${e.hints.app} ` : ''}Then check it again, or confirm the ${action} to go ahead without the check.`,
      },
      { vm, action, checked: false, cause: e.code },
    )
  }
  if (!report.clean) {
    // Work at risk, repositories git could not read, folders the scan could not read: each wants its own remedy.
    const atRisk = report.repos.some(repoAtRisk)
    const remedies = (lookAt: string) =>
      [
        atRisk ? 'commit and push that work first' : null,
        report.repos.some((r) => r.errors.length > 0) ? `look at the repositories git could not read (${lookAt})` : null,
        report.unreadable.length > 0 ? 'let CAL read the folders it could not check (see above)' : null,
      ]
        .filter((r): r is string => r !== null)
        .join('; ') || 'look at what the check could not do (above)'
    const sentence = (first: string, confirm: string) => `${first.charAt(0).toUpperCase()}${first.slice(1)}, or confirm the ${action}${confirm} to ${atRisk ? 'discard it' : 'go ahead'}.`
    const hint = { cli: sentence(remedies(`cal ssh ${vm}`), ' (--yes)'), app: sentence(remedies('in a terminal on the VM'), '') }
    const message = atRisk ? `The ${action} would lose work in "${vm}"` : `CAL could not check everything in "${vm}" before the ${action}`
    throw new CalError('GIT_RISK', `${message}: ${report.summary.join('; ')}.`, hint, {
      vm,
      action,
      report,
    })
  }
  return report
}
