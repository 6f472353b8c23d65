import type { CalErrorData } from '../../../shared/errors'
import type { GitSafetyReport } from '../../../shared/git'
import { cal, unwrap } from '../api'
import { useVms } from '../store/vms'
import { useLoad } from './useLoad'

/**
 * The git safety check inside `vm`, run when a destructive confirmation opens, and again when the VM starts or stops
 * meanwhile (started from the sheet, so that it can be checked); not run when `wanted` is false (nothing in the VM is
 * at stake: deleting a snapshot), so such a sheet neither waits for it nor warns.
 */
export function useGitCheck(vm: string, wanted = true): { report: GitSafetyReport | null; error: CalErrorData | null; checking: boolean; risky: boolean } {
  const running = useVms((s) => s.vms.find((v) => v.name === vm)?.state === 'running')
  const { value: report, error, loading } = useLoad(wanted ? `${vm}\n${running ? 'running' : 'not running'}` : null, () => unwrap(cal().git.check({ name: vm })))
  return { report, error, checking: loading, risky: Boolean(report && !report.clean) || Boolean(error) }
}
