import { useEffect, useState } from 'react'
import type { CalErrorData } from '../../../shared/errors'
import type { GitSafetyReport } from '../../../shared/git'
import { cal, errorData, unwrap } from '../api'

/** The git safety check inside `vm`, run once when a destructive confirmation opens. */
export function useGitCheck(vm: string): { report: GitSafetyReport | null; error: CalErrorData | null; checking: boolean; risky: boolean } {
  const [report, setReport] = useState<GitSafetyReport | null>(null)
  const [error, setError] = useState<CalErrorData | null>(null)
  useEffect(() => {
    let live = true
    unwrap(cal().git.check({ name: vm })).then(
      (r) => live && setReport(r),
      (err) => live && setError(errorData(err)),
    )
    return () => {
      live = false
    }
  }, [vm])
  return { report, error, checking: !report && !error, risky: Boolean(report && !report.clean) || Boolean(error) }
}
