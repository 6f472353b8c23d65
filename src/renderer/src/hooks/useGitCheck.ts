import type { CalErrorData } from '../../../shared/errors'
import type { GitSafetyReport } from '../../../shared/git'
import { cal, unwrap } from '../api'
import { useLoad } from './useLoad'

/** The git safety check inside `vm`, run once when a destructive confirmation opens. */
export function useGitCheck(vm: string): { report: GitSafetyReport | null; error: CalErrorData | null; checking: boolean; risky: boolean } {
  const { value: report, error, loading } = useLoad(vm, () => unwrap(cal().git.check({ name: vm })))
  return { report, error, checking: loading, risky: Boolean(report && !report.clean) || Boolean(error) }
}
