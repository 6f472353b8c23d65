import { CalError } from '../../shared/errors'
import type { GitSafetyReport, RepoRisk, ScanRoot } from '../../shared/git'

/** The contract's report (src/shared/git.ts), with where the scan looked. */
export type GitCheckReport = GitSafetyReport
export type CheckedRepo = RepoRisk

const NO_GIT = 'git is not installed'
/** The scan's names for commits a detached HEAD left behind when it moved on, and for those it holds (see script.ts). */
const LEFT_BY_DETACHED = '(left by a detached HEAD)'
const DETACHED = '(detached HEAD)'

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

/** "a", "a and b", "a, b and c". */
function listing(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`)
}

/** A path in the guest's home folder, written with "~". */
function tilde(home: string | null, path: string): string {
  return home && under(path, home) ? `~${path.slice(home.length)}` : path
}

/** The records carry full refnames (see script.ts); people read the branch's own name. */
function shortBranch(ref: string): string {
  if (ref.startsWith('refs/tags/')) return `(tag ${ref.slice('refs/tags/'.length)})`
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref
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
  // Tags arrive as "(tag NAME)" (shortBranch): said as tags, after the branches.
  const tags = r.unpublishedBranches.filter((b) => b.startsWith('(tag ')).map((b) => b.slice('(tag '.length, -1))
  const left = r.unpublishedBranches.find((b) => b.endsWith(' left by a detached HEAD)'))
  // Not a branch: "branch (detached HEAD) on no remote" read as one, and gave no count.
  const detached = r.unpublishedBranches.find((b) => b.endsWith(' on a detached HEAD)'))
  const branches = r.unpublishedBranches.filter((b) => !b.startsWith('(tag ') && b !== left && b !== detached)
  // With remotes inside the VM, "on no remote" would read as "never pushed": say where those pushes went.
  const inVm = r.remotesInVm.length > 0 && (branches.length > 0 || tags.length > 0)
  const remote = inVm ? 'remote outside this VM' : 'remote'
  if (branches.length) parts.push(`${branches.length === 1 ? 'branch' : 'branches'} ${branches.join(', ')} on no ${remote}`)
  if (tags.length) parts.push(`${tags.length === 1 ? 'tag' : 'tags'} ${tags.join(', ')} with commits on no branch or ${remote}`)
  if (detached) parts.push(`${detached.slice(1, -1)}, on no branch or ${remote}`)
  if (left) parts.push(`${left.slice(1, -1)}, on no branch (only git's reflog keeps ${left.startsWith('(1 commit ') ? 'it' : 'them'})`)
  if (inVm) {
    const names = r.remotesInVm.map((m) => `${m.name} (${m.url})`)
    parts.push(`${r.remotesInVm.length === 1 ? 'remote' : 'remotes'} ${listing(names)} ${r.remotesInVm.length === 1 ? 'is a repository' : 'are repositories'} inside the VM, lost with it`)
  }
  return `${r.path}${r.branch ? ` (${r.branch})` : ''}: ${parts.join(', ')}`
}

/**
 * Where the scan looked, for people: "checked 3 repositories under ~ (depth 6) and /Users/Shared". A named root
 * inside ~ is part of "~" and not repeated, unless it is a symlink to a folder elsewhere. `outside` repositories
 * were found on folders outside the VM (its shared folders, through a symlink) and left out: said, as they were seen.
 */
export function describeScope(home: string | null, roots: ScanRoot[], repos: CheckedRepo[], outside = 0): string {
  const homeRoot = roots.find((r) => r.path === home)
  const shown = roots.filter((r) => r === homeRoot || !homeRoot || !under(r.path, homeRoot.path) || !under(r.realPath, homeRoot.realPath))
  const depth = shown[0]?.depth
  const where = shown.map((r, i) => {
    const elsewhere = r !== homeRoot && homeRoot && under(r.path, homeRoot.path) && r.realPath !== r.path ? ` → ${r.realPath}` : ''
    return `${tilde(home, r.path)}${elsewhere}${i === 0 || r.depth !== depth ? ` (depth ${r.depth})` : ''}`
  })
  const worktrees = repos.filter((r) => r.linkedWorktree).length
  const main = repos.length - worktrees
  const counted = main === 0 && worktrees === 0 && outside === 0 ? 'found no git repositories' : `checked ${plural(main, 'repository', 'repositories')}`
  const left = outside ? `, ${plural(outside, 'repository on a shared folder', 'repositories on shared folders')} outside the VM not counted` : ''
  return `${counted}${where.length ? ` under ${listing(where)}` : ''}${worktrees ? `, plus ${plural(worktrees, 'linked worktree')}` : ''}${left}`
}

/**
 * One line per kind of reason for the folders the scan could not read, with what would let CAL in: "~/Documents
 * and ~/Desktop: not checked, macOS keeps these folders from SSH sessions (…)".
 */
export function describeUnreadable(home: string | null, unreadable: GitSafetyReport['unreadable']): string[] {
  return [...new Set(unreadable.map((u) => u.reason))].map((reason) => {
    const paths = unreadable.filter((u) => u.reason === reason).map((u) => tilde(home, u.path))
    const one = paths.length === 1
    const notChecked = `${listing(paths)}: not checked`
    if (reason === 'not-permitted') {
      return `${notChecked}, macOS keeps ${one ? 'this folder' : 'these folders'} from SSH sessions (to let CAL check ${one ? 'it' : 'them'}, turn on System Settings → General → Sharing → Remote Login → ⓘ → "Allow full disk access for remote users" in the VM)`
    }
    if (reason === 'denied') return `${notChecked}, ${one ? 'its' : 'their'} permissions keep the VM's user out (to let CAL check ${one ? 'it' : 'them'}, make ${one ? 'it' : 'them'} readable)`
    return `${notChecked} (${reason})`
  })
}

/** Turns the scan's tab-separated records (see script.ts) into the contract's report, with the added fields. */
export function parseGitScan(vm: string, stdout: string, now = new Date()): GitCheckReport {
  const lines = stdout.split('\n').map((l) => l.replace(/\r$/, ''))
  if (!lines.includes('DONE')) {
    throw new CalError('INTERNAL', `The git safety check in "${vm}" stopped before it finished.`, { cli: 'Run `cal check` again; if it keeps failing, look at the VM over `cal ssh`.', app: 'Check it again; if it keeps failing, look at the VM in a terminal.' }, {
      output: stdout.slice(-2000),
    })
  }
  const repos = new Map<string, CheckedRepo>()
  const roots: ScanRoot[] = []
  const problems: string[] = []
  const unreadable = new Map<string, string>()
  // Repositories on folders outside the VM, by real path: left out of the risks, counted in the scope.
  const outside = new Set<string>()
  let home: string | null = null
  const repo = (path: string): CheckedRepo => {
    let r = repos.get(path)
    if (!r) {
      r = { path, branch: null, uncommitted: 0, untracked: 0, stashes: 0, unpushed: 0, unpublishedBranches: [], unpublishedCommits: 0, remotesInVm: [], linkedWorktree: false, errors: [], fingerprint: '' }
      repos.set(path, r)
    }
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
      case 'HOME':
        home = path
        break
      case 'ROOT':
        roots.push({ path, depth: num(rest[0]), realPath: rest[1] || path })
        break
      case 'NOROOT':
        problems.push(`${path}: CAL could not look for repositories here (${rest[0] || 'not a folder'})`)
        break
      case 'OUT':
        outside.add(rest[0] || path)
        break
      case 'SKIP':
        // A folder is named once, also when two scanned roots reach it.
        if (!unreadable.has(path)) unreadable.set(path, rest[0] || 'could not be read')
        break
      case 'REPO': {
        const r = repo(path)
        r.branch = rest[0] ? shortBranch(rest[0]) : null
        r.uncommitted = num(rest[1])
        r.untracked = num(rest[2])
        r.stashes = num(rest[3])
        r.linkedWorktree = rest[4] === '1'
        break
      }
      case 'AHEAD':
        repo(path).unpushed += num(rest[1])
        break
      case 'UNPUB':
        if (rest[0]) {
          // Commits a detached HEAD left behind are named with their count: no branch name tells the user what they are.
          const n = Number.parseInt(rest[1] ?? '', 10) || 0
          const named = rest[0] === LEFT_BY_DETACHED ? `(${plural(n, 'commit')} left by a detached HEAD)` : rest[0] === DETACHED ? `(${plural(n, 'commit')} on a detached HEAD)` : shortBranch(rest[0])
          repo(path).unpublishedBranches.push(named)
          repo(path).unpublishedCommits += Number.parseInt(rest[1] ?? '', 10) || 0
        }
        break
      case 'SUM':
        repo(path).fingerprint = rest[0] ?? ''
        break
      case 'VMREMOTE':
        if (rest[0]) repo(path).remotesInVm.push({ name: rest[0], url: rest[1] ?? '' })
        break
      case 'NOGIT':
        repo(path).errors.push(NO_GIT)
        break
      case 'ERR':
        repo(path).errors.push(rest[0] || 'could not read the repository')
        break
    }
  }
  const all = [...repos.values()]
  // A git failure is never "nothing to lose": the repository's check is incomplete, and that is at risk too.
  // Paths in ~ said with "~", as the scope line says them.
  const incomplete = all
    .filter((r) => r.errors.length > 0)
    .map((r) =>
      r.errors.includes(NO_GIT)
        ? `${tilde(home, r.path)}: git is not installed in the VM, so this repository could not be checked`
        : `${tilde(home, r.path)}: the check could not be completed (git failed: ${r.errors.join('; ')})`,
    )
  // A folder the scan could not read may hold repositories with work in them: at risk too, like a git failure.
  const skipped = [...unreadable].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, reason]) => ({ path, reason }))
  const risks = [...all.filter(repoAtRisk).map((r) => describeRisk({ ...r, path: tilde(home, r.path) })), ...incomplete, ...problems, ...describeUnreadable(home, skipped)]
  const scope = describeScope(home, roots, all, outside.size)
  return { vm, checkedAt: now.toISOString(), repos: all, clean: risks.length === 0, summary: [...risks, scope], home, roots, scope, unreadable: skipped }
}
