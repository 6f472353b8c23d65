import { CalError } from '../../shared/errors'
import type { GitSafetyReport, RepoRisk } from '../../shared/git'
import { checkGitSafety } from '../git/check'
import { repoAtRisk } from '../git/report'
import type { VmContext } from './context'

/** The reports CAL showed lately (to the window or the command line), so that a confirmation can name the one it saw. */
export class ShownReports {
  private readonly byKey = new Map<string, GitSafetyReport>()

  remember(report: GitSafetyReport): GitSafetyReport {
    this.byKey.set(`${report.vm}\n${report.checkedAt}`, report)
    // Each is about one confirmation sheet: the last few are plenty (a Map keeps insertion order: the oldest first).
    if (this.byKey.size > 20) this.byKey.delete(this.byKey.keys().next().value!)
    return report
  }

  find(vm: string, checkedAt: string): GitSafetyReport | null {
    return this.byKey.get(`${vm}\n${checkedAt}`) ?? null
  }
}

/**
 * What was confirmed: nothing (`confirmed: false`: check, and refuse work at risk), a plain yes (the command line's
 * --yes: no check), or a yes given after reading the report checked at `checkedAt`: then the VM is checked again,
 * since an agent may have gone on working while the user read, and only what that report showed counts as accepted.
 */
export interface Confirmation {
  confirmed: boolean
  checkedAt?: string | undefined
  reports: ShownReports
  signal?: AbortSignal
}

/**
 * Before restore, delete and re-init: run the git safety check in the VM. Work at risk (or a VM that cannot be
 * checked because it is not running) needs explicit confirmation; the error carries the report for the UI/CLI.
 */
export async function guardDestructive(ctx: VmContext, vm: string, action: string, c: Confirmation): Promise<GitSafetyReport | null> {
  if (c.confirmed) return c.checkedAt === undefined ? null : checkAgain(ctx, vm, action, c)
  const signal = c.signal
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
    c.reports.remember(report)
    throw new CalError('GIT_RISK', `${message}: ${report.summary.join('; ')}.`, hint, {
      vm,
      action,
      report,
    })
  }
  return report
}

/**
 * The check again, for a confirmation given after reading the report checked at `checkedAt`: what is at risk now
 * must be no more than what that report showed (the same repositories and folders, no count higher), and the work in
 * each repository still at risk the same (its fingerprint), else the destructive step is refused with the new report,
 * to be read and confirmed in turn. A VM that is not running cannot have changed; a check that cannot run now (the VM
 * stopped answering) does not undo the user's yes.
 */
async function checkAgain(ctx: VmContext, vm: string, action: string, c: Confirmation): Promise<GitSafetyReport | null> {
  const d = await ctx.tart.get(vm, { signal: c.signal })
  if (d.state !== 'running') return null
  let now: GitSafetyReport
  try {
    now = await checkGitSafety(ctx.exec, vm, { signal: c.signal })
  } catch (err) {
    if (CalError.from(err).code === 'CANCELLED') throw err
    return null
  }
  const seen = c.reports.find(vm, c.checkedAt ?? '')
  const grew = seen === null || !noMoreAtRisk(now, seen)
  // Not more, but changed (a commit amended, a changed file edited again, one file deleted and another edited): named,
  // as the new report may read the same.
  const changed = seen !== null && !grew ? changedRepos(now, seen) : []
  if (now.clean || (!grew && changed.length === 0)) return now
  c.reports.remember(now)
  const what = grew ? `More is at risk in "${vm}" than when you confirmed the ${action}${seen ? '' : ' (CAL no longer has the report you confirmed)'}` : `Work at risk in "${vm}" changed since you confirmed the ${action} (in ${changed.join(', ')})`
  throw new CalError('GIT_RISK', `${what}: ${now.summary.join('; ')}.`, `Nothing was changed. Read the new report and confirm the ${action} again. If an agent is still at work there, end its session first, or its work changes again.`, {
    vm,
    action,
    report: now,
    changedSinceConfirmed: true,
    changedRepos: changed,
  })
}

/** The repositories at risk whose work changed between the two checks (their fingerprints differ). */
function changedRepos(now: GitSafetyReport, seen: GitSafetyReport): string[] {
  const before = new Map(seen.repos.map((r) => [r.path, r]))
  return now.repos.filter((r) => repoAtRisk(r) && contentChanged(r, before.get(r.path))).map((r) => r.path)
}

/**
 * Whether a repository's work changed since an earlier check (a commit amended, a changed file edited again). Also
 * when a count fell: one file deleted or committed can hide another edited meanwhile, which the user never read of,
 * so less at risk is asked about again too (one more yes, for work the user just changed). A report without
 * fingerprints cannot tell.
 */
function contentChanged(r: RepoRisk, b: RepoRisk | undefined): boolean {
  return b !== undefined && r.fingerprint !== '' && b.fingerprint !== '' && r.fingerprint !== b.fingerprint
}

/** Whether everything `now` puts at risk was already in `seen`, no more of it (changed work: see changedRepos). */
function noMoreAtRisk(now: GitSafetyReport, seen: GitSafetyReport): boolean {
  const before = new Map(seen.repos.map((r) => [r.path, r]))
  const repos = now.repos.every((r) => {
    if (!repoAtRisk(r) && r.errors.length === 0) return true
    const b = before.get(r.path)
    return (
      b !== undefined &&
      r.uncommitted <= b.uncommitted &&
      r.untracked <= b.untracked &&
      r.stashes <= b.stashes &&
      r.unpushed <= b.unpushed &&
      r.unpublishedCommits <= b.unpublishedCommits &&
      r.errors.length <= b.errors.length &&
      r.unpublishedBranches.every((name) => b.unpublishedBranches.includes(name))
    )
  })
  const unreadable = new Set(seen.unreadable.map((u) => u.path))
  return repos && now.unreadable.every((u) => unreadable.has(u.path))
}
