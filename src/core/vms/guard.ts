import { CalError } from '../../shared/errors'
import type { GitSafetyReport } from '../../shared/git'
import { checkGitSafety } from '../git/check'
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
      `Start it and run \`cal check ${vm}\` first, or confirm the ${action} (--yes).`,
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
      `${e.hint ? `${e.hint} ` : ''}Then run \`cal check ${vm}\`, or confirm the ${action} (--yes) to go ahead without the check.`,
      { vm, action, checked: false, cause: e.code },
    )
  }
  if (!report.clean) {
    const incomplete = report.repos.some((r) => r.errors.length > 0)
    const hint = incomplete
      ? `Look at the repositories git could not read (cal ssh ${vm}), or confirm the ${action} (--yes) to go ahead.`
      : `Commit and push it first, or confirm the ${action} (--yes) to discard it.`
    throw new CalError('GIT_RISK', `The ${action} would lose work in "${vm}": ${report.summary.join('; ')}.`, hint, {
      vm,
      action,
      report,
    })
  }
  return report
}
