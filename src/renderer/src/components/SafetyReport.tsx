import { Fragment, type ReactNode } from 'react'
import { appHintOf, type CalErrorData } from '../../../shared/errors'
import type { GitSafetyReport } from '../../../shared/git'
import { startVm } from '../actions'
import { useVms } from '../store/vms'
import { Icon } from './icons'

type Props = { report: GitSafetyReport | null; error: CalErrorData | null; vm: string }

/** The git safety report from inside the VM: what a restore or rollback would throw away. */
export function SafetyReport({ report, error, vm }: Props) {
  const state = useVms((s) => s.vms.find((v) => v.name === vm)?.state)
  if (error?.code === 'VM_NOT_RUNNING') {
    // Not a fault: a stopped VM cannot be looked into. It can be started from here; the check runs once it is up.
    return (
      <div className="callout callout-warning" data-testid="safety-report" data-clean="unknown" role="status">
        <Icon name="warning" /> <strong>{vm} is not running, so CAL cannot check it for git work that was never pushed.</strong>{' '}
        {state === 'starting' ? (
          <div className="hint">Starting {vm}: the check runs once it is up.</div>
        ) : (
          <div className="callout-actions">
            <button type="button" className="button small" onClick={() => void startVm(vm)} data-testid="safety-start">
              Start {vm} and check
            </button>
          </div>
        )}
      </div>
    )
  }
  if (error) {
    return (
      <div className="callout callout-warning" data-testid="safety-report" data-clean="unknown" role="status">
        <Icon name="warning" /> <strong>Could not check the git repositories in {vm}.</strong> {error.message}
        {appHintOf(error) && <div className="hint">{appHintOf(error)}</div>}
      </div>
    )
  }
  if (!report) {
    return (
      <div className="callout" data-testid="safety-report" data-clean="pending" role="status" aria-busy="true">
        <span className="spinner" aria-hidden="true" /> Checking the git repositories in {vm}…
      </div>
    )
  }
  if (report.clean) {
    return (
      <div className="callout callout-ok" data-testid="safety-report" data-clean="true" role="status">
        <Icon name="check" /> <strong>Git safety report: clean.</strong>{' '}
        {report.repos.length === 0
          ? `No git repositories found in the VM${report.scope ? ` (${report.scope.replace(/^found no git repositories /, 'looked ')})` : ''}.`
          : `Nothing uncommitted, unpushed or stashed${report.scope ? `: ${report.scope}` : ` in ${report.repos.length} ${report.repos.length === 1 ? 'repository' : 'repositories'}`}.`}
      </div>
    )
  }
  const risky = report.repos.filter((r) => r.uncommitted + r.untracked + r.stashes + r.unpushed + r.unpublishedBranches.length > 0)
  return (
    <div className="callout callout-warning" data-testid="safety-report" data-clean="false" role="status">
      {/* Also not clean when nothing is at risk but a repository or folder could not be checked: the lines say which. */}
      <Icon name="warning" /> <strong>Git safety report: {risky.length > 0 ? 'work would be lost.' : 'not everything could be checked.'}</strong>
      <ul className="report-lines">
        {report.summary.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {risky.length > 0 && (
        <table className="report-table">
          <caption className="visually-hidden">Repositories with work at risk</caption>
          <thead>
            <tr>
              <th scope="col">Repository</th>
              <th scope="col">Branch</th>
              <th scope="col">Uncommitted</th>
              <th scope="col">Untracked</th>
              <th scope="col">Stashes</th>
              <th scope="col">Unpushed</th>
            </tr>
          </thead>
          <tbody>
            {risky.map((r) => (
              <tr key={r.path}>
                <td>{breakAtSlashes(r.path)}</td>
                <td>{r.branch ?? '—'}</td>
                <td>{r.uncommitted}</td>
                <td>{r.untracked}</td>
                <td>{r.stashes}</td>
                <td>{unpushedCell(r)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {risky.length > 0 && (
        <div className="hint" data-testid="safety-keep-hint">
          To keep this work, commit and push it from a terminal in {vm} (a branch that was never pushed needs <code>git push -u</code>; a repository with no
          remote needs one outside the VM first, <code>git remote add origin URL</code>). CAL checks again before it goes ahead.
        </div>
      )}
    </div>
  )
}

/**
 * Commits not pushed, and the branches no remote has at all: those have no upstream to count against, so a bare
 * "0" there read as nothing at risk while their commits exist only in this VM.
 */
function unpushedCell(r: GitSafetyReport['repos'][number]): ReactNode {
  const never = r.unpublishedBranches
  if (never.length === 0) return r.unpushed
  return (
    <>
      {r.unpushed > 0 && <div>{r.unpushed}</div>}
      <div>
        {never.join(', ')}: on no remote
      </div>
    </>
  )
}

/** A path that wraps after its slashes, as a path should, rather than inside a folder's name ("/home/admin/pro" "j"). */
function breakAtSlashes(path: string): ReactNode {
  return path.split('/').map((part, i, all) => (
    <Fragment key={i}>
      {part}
      {i < all.length - 1 && (
        <>
          /<wbr />
        </>
      )}
    </Fragment>
  ))
}
