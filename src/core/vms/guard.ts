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
  const report = await checkGitSafety(ctx.exec, vm, { signal })
  if (!report.clean) {
    throw new CalError('GIT_RISK', `The ${action} would lose work in "${vm}": ${report.summary.join('; ')}.`, 'Commit and push it first, or confirm the ' + action + ' (--yes) to discard it.', {
      vm,
      action,
      report,
    })
  }
  return report
}
