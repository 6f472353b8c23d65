import { CalError } from '../../shared/errors'
import type { GitSafetyReport, RepoRisk } from '../../shared/git'

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

export function repoAtRisk(r: RepoRisk): boolean {
  return r.uncommitted > 0 || r.untracked > 0 || r.stashes > 0 || r.unpushed > 0 || r.unpublishedBranches.length > 0
}

export function describeRisk(r: RepoRisk): string {
  const parts: string[] = []
  if (r.uncommitted) parts.push(plural(r.uncommitted, 'uncommitted change'))
  if (r.untracked) parts.push(plural(r.untracked, 'untracked file'))
  if (r.stashes) parts.push(plural(r.stashes, 'stash', 'stashes'))
  if (r.unpushed) parts.push(`${plural(r.unpushed, 'commit')} not pushed`)
  if (r.unpublishedBranches.length) parts.push(`${r.unpublishedBranches.length === 1 ? 'branch' : 'branches'} ${r.unpublishedBranches.join(', ')} on no remote`)
  return `${r.path}${r.branch ? ` (${r.branch})` : ''}: ${parts.join(', ')}`
}

/** Turns the scan's tab-separated records (see script.ts) into the contract's report. */
export function parseGitScan(vm: string, stdout: string, now = new Date()): GitSafetyReport {
  const lines = stdout.split('\n').map((l) => l.replace(/\r$/, ''))
  if (!lines.includes('DONE')) {
    throw new CalError('INTERNAL', `The git safety check in "${vm}" stopped before it finished.`, 'Run `cal check` again; if it keeps failing, look at the VM over `cal ssh`.', {
      output: stdout.slice(-2000),
    })
  }
  const repos = new Map<string, RepoRisk>()
  const problems: string[] = []
  const repo = (path: string): RepoRisk => {
    let r = repos.get(path)
    if (!r) repos.set(path, (r = { path, branch: null, uncommitted: 0, untracked: 0, stashes: 0, unpushed: 0, unpublishedBranches: [] }))
    return r
  }
  const num = (s: string | undefined) => {
    const n = Number.parseInt(s ?? '0', 10)
    return Number.isFinite(n) && n > 0 ? n : 0
  }
  for (const line of lines) {
    const [kind, path, ...rest] = line.split('\t')
    if (!path) continue
    switch (kind) {
      case 'REPO': {
        const r = repo(path)
        r.branch = rest[0] || null
        r.uncommitted = num(rest[1])
        r.untracked = num(rest[2])
        r.stashes = num(rest[3])
        break
      }
      case 'AHEAD':
        repo(path).unpushed += num(rest[1])
        break
      case 'UNPUB':
        if (rest[0]) repo(path).unpublishedBranches.push(rest[0])
        break
      case 'NOGIT':
        repo(path)
        problems.push(`${path}: git is not installed in the VM, so this repository could not be checked`)
        break
      case 'ERR':
        repo(path)
        problems.push(`${path}: git could not read this repository`)
        break
    }
  }
  const all = [...repos.values()]
  const summary = [...all.filter(repoAtRisk).map(describeRisk), ...problems]
  return { vm, checkedAt: now.toISOString(), repos: all, clean: summary.length === 0, summary }
}
