import { spawn } from 'node:child_process'
import { chmod, mkdtemp, mkdir, readFile, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkGitSafety } from '../../src/core/git/check'
import { commandQuiet, commandTimedOut } from '../../src/core/ssh/exec'
import { parseGitScan, type GitCheckReport } from '../../src/core/git/report'
import type { RemoteExec } from '../../src/core/git/remote-exec'
import { gitScanCommand } from '../../src/core/git/script'
import { guardDestructive, ShownReports } from '../../src/core/vms/guard'
import { CalError } from '../../src/shared/errors'
import { GitSafetyReport } from '../../src/shared/git'
import type { VmContext } from '../../src/core/vms/context'

// The scan script runs for real here: real sh, real git, in throw-away homes (the VM tests run it over SSH too).
let home: string
const made: string[] = []
async function tempDir(prefix = 'cal-git-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix))
  made.push(d)
  return d
}
const execIn =
  (h: () => string, shell: string[] = ['sh'], path = process.env.PATH ?? '/usr/bin:/bin', env: Record<string, string> = {}): RemoteExec =>
  async (_vm, command) => {
    const r = await execa(shell[0]!, [...shell.slice(1), '-c', command], { env: { ...env, HOME: h(), PATH: path }, extendEnv: false, reject: false })
    return { stdout: String(r.stdout), stderr: String(r.stderr), code: r.exitCode ?? -1 }
  }
const localExec = execIn(() => home)
/** A path in the test's home as the report says it, with "~". */
const tilde = (p: string) => (p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p)
// Root reads a mode-000 folder all the same: as root, the scan runs as nobody (and the home becomes nobody's).
const isRoot = process.getuid?.() === 0
const unprivileged = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : []
const ownHome = async () => {
  if (isRoot) await execa('chown', ['-R', '65534:65534', home])
}
const git = (cwd: string, ...args: string[]) =>
  execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'init.defaultBranch=main', '-c', 'protocol.file.allow=always', ...args], { cwd, env: { HOME: home } })

async function repo(path: string): Promise<string> {
  await mkdir(path, { recursive: true })
  await git(path, 'init', '-q')
  await writeFile(join(path, 'a.txt'), 'a\n')
  await git(path, 'add', '.')
  await git(path, 'commit', '-qm', 'first')
  return path
}

/**
 * Where the tests' bare remotes live, passed to the scan as a folder outside the VM (the product passes /Volumes):
 * a remote in any other folder of this machine is one inside the "VM", and pushing there keeps nothing.
 */
let remotesRoot: string
const newRemote = async (name = 'r.git') => join(await mkdtemp(join(remotesRoot, 'r-')), name)
const check = (exec = localExec) => checkGitSafety(exec, 'vm', { outsideVm: [remotesRoot] })

/** A bare remote and a clone of it at `path` with main pushed and tracking: nothing at risk. */
async function pushedClone(path: string): Promise<{ path: string; remote: string }> {
  const remote = await newRemote()
  await execa('git', ['init', '-q', '--bare', remote])
  const seed = await repo(join(await tempDir('cal-git-seed-'), 'seed'))
  await git(seed, 'push', '-q', remote, 'main')
  await mkdir(join(path, '..'), { recursive: true })
  await git(join(path, '..'), 'clone', '-q', '-b', 'main', remote, path)
  return { path, remote }
}

/** A fresh, empty $HOME for the scan (and for git's own config), used by localExec. */
async function freshHome(): Promise<string> {
  home = await tempDir()
  return home
}

/** Scans `home` with extra shared roots (the product passes /Users/Shared), through the same parser. */
async function scanWith(sharedRoots: string[], exec = localExec): Promise<GitCheckReport> {
  const r = await exec('vm', gitScanCommand(sharedRoots, [remotesRoot]))
  expect(r.code, r.stderr).toBe(0)
  return parseGitScan('vm', r.stdout)
}

const rel = (r: GitCheckReport) => new Map(r.repos.map((x) => [x.path.startsWith(home) ? x.path.slice(home.length) : x.path, x]))

beforeAll(async () => {
  remotesRoot = await tempDir('cal-git-remotes-')
  await freshHome()
})
afterAll(async () => {
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })))
})

describe('git safety check (real git)', () => {
  it('finds nothing in an empty home, and says where it looked', async () => {
    await freshHome()
    const r = await check()
    expect(r).toMatchObject({ vm: 'vm', repos: [], clean: true, home, roots: [{ path: home, depth: 6 }] })
    expect(r.summary).toEqual(['found no git repositories under ~ (depth 6)'])
  })

  it('reports uncommitted, untracked, stashes, unpushed and unpublished work; clean repos stay clean', async () => {
    await freshHome()
    const remote = await newRemote('remote.git')
    await execa('git', ['init', '-q', '--bare', remote])
    // clean: pushed, tracking
    const clean = await repo(join(home, 'workspace', 'clean'))
    await git(clean, 'remote', 'add', 'origin', remote)
    await git(clean, 'push', '-q', '-u', 'origin', 'main')
    // dirty: uncommitted + untracked + stash + unpushed + a local-only branch. Cloned, so that it shares the
    // remote's first commit: a second `repo()` makes its own, identical only when both fall in the same second.
    await mkdir(join(home, 'projects', 'group'), { recursive: true })
    await git(join(home, 'projects', 'group'), 'clone', '-q', '-b', 'main', remote, 'dirty')
    const dirty = join(home, 'projects', 'group', 'dirty')
    await writeFile(join(dirty, 'b.txt'), 'b\n')
    await git(dirty, 'add', 'b.txt')
    await git(dirty, 'commit', '-qm', 'unpushed')
    await writeFile(join(dirty, 'a.txt'), 'changed\n')
    await git(dirty, 'stash', '-q')
    await writeFile(join(dirty, 'a.txt'), 'changed again\n')
    await writeFile(join(dirty, 'new file.txt'), 'n\n')
    await git(dirty, 'checkout', '-q', '-b', 'feature')
    await writeFile(join(dirty, 'c.txt'), 'c\n')
    await git(dirty, 'add', 'c.txt')
    await git(dirty, 'commit', '-qm', 'local only')
    await git(dirty, 'checkout', '-q', 'main')
    // a repo with no remote at all, directly in ~ (depth 1)
    await repo(join(home, 'scratch'))

    const r = await check()
    const byPath = rel(r)
    expect([...byPath.keys()].sort()).toEqual(['/projects/group/dirty', '/scratch', '/workspace/clean'])
    expect(byPath.get('/workspace/clean')).toMatchObject({ branch: 'main', uncommitted: 0, untracked: 0, stashes: 0, unpushed: 0, unpublishedBranches: [], errors: [] })
    expect(byPath.get('/projects/group/dirty')).toMatchObject({ branch: 'main', uncommitted: 1, untracked: 1, stashes: 1, unpushed: 1, unpublishedBranches: ['feature'] })
    expect(byPath.get('/scratch')?.unpublishedBranches).toEqual(['main'])
    expect(r.clean).toBe(false)
    expect(r.summary.join('\n')).toContain('1 commit not pushed')
    expect(r.summary.join('\n')).toContain('branch feature on no remote')
    expect(r.summary.at(-1)).toBe('checked 3 repositories under ~ (depth 6)')
  })

  it('looks in all of ~ to depth 6, in named and shared roots behind symlinks, and skips caches', async () => {
    await freshHome()
    for (const p of ['Developer/org/repo', 'Documents/GitHub/repo', 'src/github.com/org/repo', 'a/b/c/d/e/six']) await repo(join(home, p))
    // Too deep (7 folders below ~), or in folders that hold caches, toolchains, app data or the Trash.
    for (const p of ['a/b/c/d/e/f/seven', 'Library/Developer/repo', '.Trash/old', '.cache/tool/repo', 'app/node_modules/dep']) await repo(join(home, p))
    // ~/workspace is a symlink to a folder outside ~; ~/code a plain folder, scanned to depth 6 below itself.
    const elsewhere = await tempDir('cal-git-ws-')
    await repo(join(elsewhere, 'app'))
    await symlink(elsewhere, join(home, 'workspace'))
    await repo(join(home, 'code', 'a', 'b', 'c', 'd', 'e', 'deep'))
    // ~/repos is a symlink into ~: what it reaches is reported once, and "~" already names it.
    await symlink(join(home, 'Developer'), join(home, 'repos'))
    // A shared root (the product's is /Users/Shared), itself reached through a symlink.
    const sharedReal = await tempDir('cal-git-shared-')
    await repo(join(sharedReal, 'team', 'tool'))
    const shared = join(await tempDir('cal-git-link-'), 'Shared')
    await symlink(sharedReal, shared)

    const r = await scanWith([shared, join(home, 'no-such-root')])
    expect([...rel(r).keys()].sort()).toEqual([
      '/Developer/org/repo',
      '/Documents/GitHub/repo',
      '/a/b/c/d/e/six',
      '/code/a/b/c/d/e/deep',
      '/src/github.com/org/repo',
      '/workspace/app',
      `${shared}/team/tool`,
    ].sort())
    expect(r.roots).toEqual([
      { path: home, depth: 6, realPath: home },
      { path: join(home, 'workspace'), depth: 6, realPath: elsewhere },
      { path: join(home, 'repos'), depth: 6, realPath: join(home, 'Developer') },
      { path: join(home, 'code'), depth: 6, realPath: join(home, 'code') },
      { path: shared, depth: 6, realPath: sharedReal },
    ])
    expect(r.scope).toBe(`checked 7 repositories under ~ (depth 6), ~/workspace → ${elsewhere} and ${shared}`)
    expect(r.summary.at(-1)).toBe(r.scope)
  })

  it('a folder named like a cache that is itself a repository is checked; what caches hold, and ~/Library, are not', async () => {
    await freshHome()
    // Repositories named Library and Pods: an unpushed commit, an untracked file.
    const { path: lib } = await pushedClone(join(home, 'code', 'Library'))
    await writeFile(join(lib, 'b.txt'), 'b\n')
    await git(lib, 'add', 'b.txt')
    await git(lib, 'commit', '-qm', 'unpushed')
    const { path: pods } = await pushedClone(join(home, 'code', 'Pods'))
    await writeFile(join(pods, 'new.txt'), 'n\n')
    await repo(join(home, 'src', 'tool', '.venv'))
    // Still skipped: repositories inside caches, and ~/Library whatever it holds.
    await repo(join(home, 'src', 'app', 'node_modules', 'dep'))
    await repo(join(home, 'code', 'x', 'Pods', 'Dep'))
    await repo(join(home, 'Library'))
    await repo(join(home, 'Library', 'Developer', 'repo'))

    const r = await check()
    const byPath = rel(r)
    expect([...byPath.keys()].sort()).toEqual(['/code/Library', '/code/Pods', '/src/tool/.venv'])
    expect(byPath.get('/code/Library')).toMatchObject({ unpushed: 1, errors: [] })
    expect(byPath.get('/code/Pods')).toMatchObject({ untracked: 1, errors: [] })
    expect(r.clean).toBe(false)
  })

  it('a repository on a folder outside the VM, reached through a symlink, is left out of the risks and counted apart', async () => {
    await freshHome()
    // A shared folder of the host (the product's are under /Volumes), linked as ~/workspace and ~/projects.
    const share = join(await mkdtemp(join(remotesRoot, 'share-')), 'hostcode')
    const app = await repo(join(share, 'app'))
    await writeFile(join(app, 'new.txt'), 'n\n')
    await repo(join(share, 'group', 'lib'))
    await symlink(share, join(home, 'workspace'))
    await symlink(share, join(home, 'projects'))
    // Inside the VM: checked as ever.
    await pushedClone(join(home, 'work', 'app'))

    const r = await check()
    expect([...rel(r).keys()]).toEqual(['/work/app'])
    expect(r.clean).toBe(true)
    expect(r.scope).toBe(`checked 1 repository under ~ (depth 6), ~/workspace → ${share} and ~/projects → ${share}, 2 repositories on shared folders outside the VM not counted`)
    expect(r.summary).toEqual([r.scope])
  })

  it('checks every linked worktree, also outside the scanned folders, once each', async () => {
    await freshHome()
    const { path: app } = await pushedClone(join(home, 'projects', 'app'))
    const outside = join(await tempDir('cal-git-wt-'), 'feature-wt')
    await git(app, 'worktree', 'add', '-q', '-b', 'feature', outside)
    await writeFile(join(outside, 'a.txt'), 'edited in the worktree\n')
    await writeFile(join(outside, 'new.txt'), 'n\n')
    // A worktree inside ~: found by the scan and listed by git, reported once.
    await git(app, 'worktree', 'add', '-q', '--detach', join(home, 'wt-detached'))
    await writeFile(join(home, 'wt-detached', 'x.txt'), 'x\n')
    await git(join(home, 'wt-detached'), 'add', 'x.txt')
    await git(join(home, 'wt-detached'), 'commit', '-qm', 'on no branch')
    // A worktree whose folder was deleted holds nothing: not reported, and no error.
    const gone = join(await tempDir('cal-git-gone-'), 'gone')
    await git(app, 'worktree', 'add', '-q', '-b', 'gone', gone)
    await rm(gone, { recursive: true })

    const r = await check()
    const byPath = rel(r)
    expect([...byPath.keys()].sort()).toEqual([outside, '/projects/app', '/wt-detached'].sort())
    expect(byPath.get(outside)).toMatchObject({ branch: 'feature', uncommitted: 1, untracked: 1, stashes: 0, unpushed: 0, unpublishedBranches: [], linkedWorktree: true })
    expect(byPath.get('/wt-detached')).toMatchObject({ branch: null, uncommitted: 0, unpublishedBranches: ['(1 commit on a detached HEAD)'], linkedWorktree: true })
    // Not "branch (detached HEAD) on no remote", without a count.
    expect(r.summary.join('\n')).toContain(`~/wt-detached: 1 commit on a detached HEAD, on no branch or remote`)
    // Branches belong to the main repository: reported there only. "feature" and "gone" sit on pushed commits.
    expect(byPath.get('/projects/app')).toMatchObject({ branch: 'main', uncommitted: 0, untracked: 0, unpushed: 0, unpublishedBranches: [], linkedWorktree: false, errors: [] })
    expect(r.clean).toBe(false)
    expect(r.summary.join('\n')).toContain(`${tilde(outside)} (feature): 1 uncommitted change, 1 untracked file`)
    expect(r.scope).toBe('checked 1 repository under ~ (depth 6), plus 2 linked worktrees')
  })

  it('commits a detached HEAD left behind when it moved on are at risk; amended commits and a bare look around are not', async () => {
    await freshHome()
    const { path: app } = await pushedClone(join(home, 'app'))
    const commit = (msg: string) => git(app, 'commit', '-q', '--allow-empty', '-m', msg)
    // Looking around on a detached HEAD and coming back, or amending a commit, leaves nothing of value behind.
    await git(app, 'checkout', '-q', '--detach', 'HEAD')
    await git(app, 'checkout', '-q', 'main')
    await commit('draft')
    await git(app, 'commit', '-q', '--amend', '--allow-empty', '-m', 'draft, amended')
    await git(app, 'push', '-q', 'origin', 'main')
    expect((await check()).clean).toBe(true)
    // Work done on a detached HEAD, then a checkout away from it: git warned once; the commits are on no branch.
    await git(app, 'checkout', '-q', '--detach')
    await commit('precious detached work')
    await commit('more of it')
    await git(app, 'checkout', '-q', 'main')
    const r = await check()
    expect(r.clean).toBe(false)
    expect(r.repos[0]).toMatchObject({ branch: 'main', unpublishedBranches: ['(2 commits left by a detached HEAD)'] })
    expect(r.summary[0]).toBe(`${tilde(app)} (main): 2 commits left by a detached HEAD, on no branch (only git's reflog keeps them)`)
    // Kept on a branch, they are safe again.
    await git(app, 'branch', 'kept', 'HEAD@{1}')
    await git(app, 'push', '-q', 'origin', 'kept')
    expect((await check()).clean).toBe(true)
  })

  it('files marked assume-unchanged or skip-worktree and then edited are uncommitted changes; sparse checkout leaves none', async () => {
    await freshHome()
    const { path: app } = await pushedClone(join(home, 'work', 'app'))
    // Checked out with CRLF line endings, committed with LF: unchanged as git sees it, through its filters.
    await writeFile(join(app, '.gitattributes'), '*.crlf text eol=crlf\n')
    for (const f of ['local.cfg', 'skip.cfg', 'both.cfg', 'sparse.cfg', 'staged.cfg', 'dos.crlf']) await writeFile(join(app, f), `${f}\n`)
    await git(app, 'add', '.')
    await git(app, 'commit', '-qm', 'config files')
    await git(app, 'push', '-q', 'origin', 'main')
    await rm(join(app, 'dos.crlf'))
    await git(app, 'checkout', '--', 'dos.crlf')
    expect(await readFile(join(app, 'dos.crlf'), 'utf8')).toBe('dos.crlf\r\n')
    await git(app, 'update-index', '--assume-unchanged', 'local.cfg', 'dos.crlf')
    await git(app, 'update-index', '--skip-worktree', 'skip.cfg', 'sparse.cfg')
    await git(app, 'update-index', '--assume-unchanged', '--skip-worktree', 'both.cfg')
    await git(app, 'update-index', '--skip-worktree', 'both.cfg')
    // Marked, nothing edited: nothing at risk. A skip-worktree file absent from the work tree is what sparse checkout leaves.
    await rm(join(app, 'sparse.cfg'))
    expect((await check()).clean).toBe(true)

    for (const f of ['local.cfg', 'skip.cfg', 'both.cfg']) await writeFile(join(app, f), 'edited here only\n')
    // Staged, then marked and edited again: one change, counted once.
    await writeFile(join(app, 'staged.cfg'), 'staged\n')
    await git(app, 'add', 'staged.cfg')
    await git(app, 'update-index', '--assume-unchanged', 'staged.cfg')
    await writeFile(join(app, 'staged.cfg'), 'staged, then edited\n')
    const r = await check()
    expect(rel(r).get('/work/app')).toMatchObject({ uncommitted: 4, untracked: 0, errors: [] })
    expect(r.summary[0]).toBe(`${tilde(app)} (main): 4 uncommitted changes`)
    // Edited again: the same count, another fingerprint.
    await writeFile(join(app, 'skip.cfg'), 'edited twice\n')
    const again = rel(await check()).get('/work/app')!
    expect(again).toMatchObject({ uncommitted: 4 })
    expect(again.fingerprint).not.toBe(rel(r).get('/work/app')!.fingerprint)
    // A marked file deleted is a change too (unless skip-worktree, as above).
    await rm(join(app, 'local.cfg'))
    expect(rel(await check()).get('/work/app')).toMatchObject({ uncommitted: 4 })
  })

  it('runs no fsmonitor hook of a repository: one that hangs does not hang the check', async () => {
    await freshHome()
    const app = await repo(join(home, 'app'))
    const hook = join(home, 'fsmonitor.sh')
    await writeFile(hook, '#!/bin/sh\nsleep 40\n')
    await chmod(hook, 0o755)
    await git(app, 'config', 'core.fsmonitor', hook)
    await writeFile(join(app, 'a.txt'), 'changed\n')
    const started = Date.now()
    const r = await check()
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(r.repos[0]).toMatchObject({ uncommitted: 1, errors: [] })
  })

  it('a bare repository with worktrees: its branches and stashes are reported on it, without errors', async () => {
    await freshHome()
    const seed = await repo(join(await tempDir('cal-git-seed-'), 'seed'))
    await git(home, 'clone', '-q', '--bare', seed, join(home, 'proj.git'))
    await git(join(home, 'proj.git'), 'worktree', 'add', '-q', '-b', 'feat', join(home, 'wt'))
    await writeFile(join(home, 'wt', 'a.txt'), 'stashed\n')
    await git(join(home, 'wt'), 'stash', '-q')

    const byPath = rel(await check())
    expect([...byPath.keys()].sort()).toEqual(['/proj.git', '/wt'])
    expect(byPath.get('/wt')).toMatchObject({ branch: 'feat', uncommitted: 0, stashes: 0, linkedWorktree: true, errors: [] })
    // A bare clone keeps no remote-tracking branches: its branches count as on no remote.
    expect(byPath.get('/proj.git')).toMatchObject({ stashes: 1, unpublishedBranches: ['feat', 'main'], linkedWorktree: false, errors: [] })
  })

  it('finds bare repositories, named *.git or not, and checks their branches; a git dir is checked once', async () => {
    await freshHome()
    // The only copy: pushed to from a repository since deleted.
    const app = join(home, 'work', 'app.git')
    await execa('git', ['init', '-q', '--bare', app])
    const gone = await repo(join(await tempDir('cal-git-seed-'), 'gone'))
    await git(gone, 'push', '-q', app, 'main', 'main:feature')
    await rm(gone, { recursive: true })
    // A bare clone of a remote outside the VM keeps no remote-tracking branches: its branch is on no remote...
    const { remote } = await pushedClone(join(await tempDir('cal-git-seed-'), 'seed'))
    await git(home, 'clone', '-q', '--bare', remote, join(home, '.dotfiles'))
    // ...unless it fetches into them. This one is 6 folders down, the deepest the scan looks.
    const mirror = join(home, 'a', 'b', 'c', 'd', 'e', 'lib.git')
    await mkdir(join(mirror, '..'), { recursive: true })
    await git(home, 'clone', '-q', '--bare', remote, mirror)
    await git(mirror, 'config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*')
    await git(mirror, 'fetch', '-q', 'origin')
    // A bare repository whose only worktree is outside the scanned folders: both are checked.
    const tool = join(home, 'tool')
    await git(home, 'clone', '-q', '--bare', remote, tool)
    const toolWt = join(await tempDir('cal-git-wt-'), 'tool-wt')
    await git(tool, 'worktree', 'add', '-q', '-b', 'wip', toolWt, 'main')
    await writeFile(join(toolWt, 'u.txt'), 'u\n')
    // A checkout in a folder named *.git, and one whose git dir is elsewhere in ~: each reported once, by its
    // folder, with its changes.
    const { path: site } = await pushedClone(join(home, 'src', 'site.git'))
    await writeFile(join(site, 'new.txt'), 'n\n')
    await mkdir(join(home, 'gitdirs'))
    await git(home, 'init', '-q', '--separate-git-dir', join(home, 'gitdirs', 'sep.git'), join(home, 'work', 'sep'))
    await writeFile(join(home, 'work', 'sep', 'a.txt'), 'a\n')
    // A git dir in ~ whose worktree is not: its branches are checked there.
    const orphanWt = await repo(join(await tempDir('cal-git-wt-'), 'orphan'))
    await git(orphanWt, 'init', '-q', '--separate-git-dir', join(home, 'gitdirs', 'orphan'))
    // A bare repository's worktree with a submodule, whose git dir is inside the bare repository.
    const { path: libSrc } = await pushedClone(join(await tempDir('cal-git-lib-'), 'lib'))
    await git(tool, 'worktree', 'add', '-q', '-b', 'sub', join(home, 'sub-wt'), 'main')
    await git(join(home, 'sub-wt'), 'submodule', 'add', '-q', libSrc, 'lib')

    const r = await check()
    const byPath = rel(r)
    expect([...byPath.keys()].sort()).toEqual(['/.dotfiles', '/a/b/c/d/e/lib.git', '/gitdirs/orphan', '/src/site.git', '/sub-wt', '/sub-wt/lib', '/tool', '/work/app.git', '/work/sep', toolWt].sort())
    const none = { branch: null, uncommitted: 0, untracked: 0, stashes: 0, unpushed: 0, remotesInVm: [], linkedWorktree: false, errors: [], fingerprint: expect.stringMatching(/^\d+ \d+$/) }
    expect(byPath.get('/work/app.git')).toEqual({ ...none, path: app, unpublishedBranches: ['feature', 'main'], unpublishedCommits: 2 })
    expect(byPath.get('/.dotfiles')).toEqual({ ...none, path: join(home, '.dotfiles'), unpublishedBranches: ['main'], unpublishedCommits: 1 })
    expect(byPath.get('/a/b/c/d/e/lib.git')).toEqual({ ...none, path: mirror, unpublishedBranches: [], unpublishedCommits: 0 })
    expect(byPath.get('/gitdirs/orphan')).toEqual({ ...none, path: join(home, 'gitdirs', 'orphan'), unpublishedBranches: ['main'], unpublishedCommits: 1 })
    expect(byPath.get('/tool')).toEqual({ ...none, path: tool, unpublishedBranches: ['main', 'sub', 'wip'], unpublishedCommits: 3 })
    expect(byPath.get(toolWt)).toMatchObject({ branch: 'wip', untracked: 1, linkedWorktree: true, errors: [] })
    expect(byPath.get('/src/site.git')).toMatchObject({ branch: 'main', untracked: 1, unpublishedBranches: [], errors: [] })
    expect(byPath.get('/work/sep')).toMatchObject({ branch: 'main', untracked: 1, unpublishedBranches: [], errors: [] })
    expect(byPath.get('/sub-wt/lib')).toMatchObject({ branch: 'main', uncommitted: 0, linkedWorktree: false, errors: [] })
    expect(r.summary).toContain(`${tilde(app)}: branches feature, main on no remote`)
  })

  it('a bare repository is checked also when the user\'s git config refuses bare repositories found by their folder', async () => {
    await freshHome()
    await writeFile(join(home, '.gitconfig'), '[safe]\n\tbareRepository = explicit\n')
    await execa('git', ['init', '-q', '--bare', join(home, 'only.git')])
    const seed = await repo(join(await tempDir('cal-git-seed-'), 'seed'))
    await git(seed, 'push', '-q', join(home, 'only.git'), 'main')
    expect(rel(await check()).get('/only.git')).toMatchObject({ unpublishedBranches: ['main'], errors: [] })
  })

  it("a repository's own config hides neither untracked files nor submodule changes", async () => {
    await freshHome()
    const quiet = await repo(join(home, 'src', 'quiet'))
    await git(quiet, 'config', 'status.showUntrackedFiles', 'no')
    await writeFile(join(quiet, 'notes.txt'), 'only here\n')

    const { path: libSrc } = await pushedClone(join(await tempDir('cal-git-lib-'), 'lib'))
    const parent = await repo(join(home, 'src', 'parent'))
    await git(parent, 'submodule', 'add', '-q', libSrc, 'lib')
    await git(parent, 'commit', '-qm', 'add lib')
    await git(parent, 'config', 'submodule.lib.ignore', 'all')
    await git(parent, 'config', 'diff.ignoreSubmodules', 'all')
    await writeFile(join(parent, 'lib', 'a.txt'), 'edited inside the submodule\n')

    const byPath = rel(await check())
    expect(byPath.get('/src/quiet')).toMatchObject({ untracked: 1 })
    expect(byPath.get('/src/parent')).toMatchObject({ uncommitted: 1 })
    // The submodule is checked itself too, once, by its folder (git also lists it as a worktree at .git/modules/lib).
    expect([...byPath.keys()].sort()).toEqual(['/src/parent', '/src/parent/lib', '/src/quiet'])
    expect(byPath.get('/src/parent/lib')).toMatchObject({ uncommitted: 1 })
  })

  it('a mirror of a remote outside the VM is a copy, not work at risk; a mirror of a repository inside the VM is not', async () => {
    await freshHome()
    const { remote } = await pushedClone(join(await tempDir('cal-git-src-'), 'src'))
    // A tag and a second branch on the remote, so the mirror has both.
    const seed = join(await tempDir('cal-git-seed2-'), 'seed')
    await git(join(seed, '..'), 'clone', '-q', '-b', 'main', remote, seed)
    await git(seed, 'tag', 'v1')
    await git(seed, 'push', '-q', 'origin', 'v1', 'main:feature')
    await git(home, 'clone', '-q', '--mirror', remote, join(home, 'backup', 'src.git'))
    // A remote fetched straight into refs/heads, as `git remote add --mirror=fetch` sets up.
    const fetched = join(home, 'fetched.git')
    await execa('git', ['init', '-q', '--bare', fetched])
    await git(fetched, 'remote', 'add', '--mirror=fetch', 'origin', remote)
    await git(fetched, 'fetch', '-q', 'origin')
    // A mirror of a repository inside the VM holds what exists nowhere else.
    const inside = await repo(join(home, 'work', 'inside'))
    await git(home, 'clone', '-q', '--mirror', inside, join(home, 'inside-mirror.git'))

    const byPath = rel(await check())
    expect(byPath.get('/backup/src.git')).toMatchObject({ unpublishedBranches: [], unpublishedCommits: 0, errors: [] })
    expect(byPath.get('/fetched.git')).toMatchObject({ unpublishedBranches: [], unpublishedCommits: 0, errors: [] })
    expect(byPath.get('/inside-mirror.git')).toMatchObject({ unpublishedBranches: ['main'], unpublishedCommits: 1 })
  })

  it("a bare repository committed as another repository's files (a test fixture) is that repository's, not its own", async () => {
    await freshHome()
    const { path: project } = await pushedClone(join(home, 'work', 'project'))
    const fixtures = join(project, 'test', 'fixtures')
    await mkdir(fixtures, { recursive: true })
    await git(fixtures, 'clone', '-q', '--bare', await repo(join(await tempDir('cal-git-fx-'), 'fx')), 'committed.git')
    await git(project, 'add', 'test')
    await git(project, 'commit', '-qm', 'fixture')
    await git(project, 'push', '-q', 'origin', 'main')
    // One not committed (yet): its commits exist nowhere else.
    await git(fixtures, 'clone', '-q', '--bare', await repo(join(await tempDir('cal-git-fx-'), 'fx')), 'loose.git')

    const byPath = rel(await check())
    expect([...byPath.keys()].sort()).toEqual(['/work/project', '/work/project/test/fixtures/loose.git'])
    // The uncommitted one's files are untracked in the project, each counted.
    const loose = (await git(project, 'ls-files', '-o', '--exclude-standard')).stdout.split('\n').filter((l) => l.startsWith('test/fixtures/loose.git/'))
    expect(loose.length).toBeGreaterThan(1)
    expect(byPath.get('/work/project')).toMatchObject({ untracked: loose.length, unpushed: 0, unpublishedBranches: [] })
    expect(byPath.get('/work/project/test/fixtures/loose.git')).toMatchObject({ unpublishedBranches: ['main'] })
  })

  it('a dotfiles repository (bare, in ~, used with ~ as its work tree): changes to the files it tracks are at risk', async () => {
    await freshHome()
    const cfg = join(home, '.cfg')
    const remote = await newRemote()
    await execa('git', ['init', '-q', '--bare', remote])
    await git(home, 'init', '-q', '--bare', cfg)
    const dot = (...args: string[]) => git(home, `--git-dir=${cfg}`, `--work-tree=${home}`, ...args)
    await writeFile(join(home, '.zshrc'), 'export A=1\n')
    await writeFile(join(home, 'notes.txt'), 'not tracked by it\n')
    await dot('config', 'status.showUntrackedFiles', 'no')
    await dot('add', '.zshrc')
    await dot('commit', '-qm', 'zshrc')
    await dot('remote', 'add', 'origin', remote)
    await dot('push', '-q', '-u', 'origin', 'main')

    const clean = rel(await check()).get('/.cfg')
    expect(clean).toMatchObject({ branch: 'main', uncommitted: 0, untracked: 0, unpublishedBranches: [], errors: [] })
    // An edit to a file it tracks: at risk; an untracked file in ~ is not its business.
    await writeFile(join(home, '.zshrc'), 'export A=2\n')
    const changed = await check()
    expect(rel(changed).get('/.cfg')).toMatchObject({ branch: 'main', uncommitted: 1, untracked: 0, errors: [] })
    expect(changed.summary).toContain(`${tilde(cfg)} (main): 1 uncommitted change`)
    // Edited again: the same count, another fingerprint.
    await writeFile(join(home, '.zshrc'), 'export A=3\n')
    expect(rel(await check()).get('/.cfg')!.fingerprint).not.toBe(rel(changed).get('/.cfg')!.fingerprint)
  })

  it('a home folder that is itself a repository set up to show no untracked files: the rest of ~ is not untracked', async () => {
    await freshHome()
    const remote = await newRemote()
    await execa('git', ['init', '-q', '--bare', remote])
    await git(home, 'init', '-q')
    await git(home, 'config', 'status.showUntrackedFiles', 'no')
    await writeFile(join(home, '.zshrc'), 'export A=1\n')
    await git(home, 'add', '.zshrc')
    await git(home, 'commit', '-qm', 'zshrc')
    await git(home, 'remote', 'add', 'origin', remote)
    await git(home, 'push', '-q', '-u', 'origin', 'main')
    // A nested repository, checked on its own, and a file nobody tracks.
    await pushedClone(join(home, 'work', 'app'))
    await writeFile(join(home, 'notes.txt'), 'not tracked by it\n')

    const clean = await check()
    expect(rel(clean).get('')).toMatchObject({ branch: 'main', uncommitted: 0, untracked: 0, unpublishedBranches: [], errors: [] })
    expect(rel(clean).get('/work/app')).toMatchObject({ uncommitted: 0, untracked: 0, errors: [] })
    expect(clean.clean).toBe(true)
    // An edit to a file it tracks is at risk.
    await writeFile(join(home, '.zshrc'), 'export A=2\n')
    expect(rel(await check()).get('')).toMatchObject({ uncommitted: 1, untracked: 0 })
    // Without that setting, untracked files count as anywhere else: the file and the nested repository's folder.
    await git(home, 'config', '--unset', 'status.showUntrackedFiles')
    expect(rel(await check()).get('')).toMatchObject({ uncommitted: 1, untracked: 2 })
  })

  it('checks branches by full refname: a tag with the same name hides no commits', async () => {
    await freshHome()
    const { path: app } = await pushedClone(join(home, 'work', 'app'))
    await git(app, 'checkout', '-q', '-b', 'v2')
    await git(app, 'push', '-q', '-u', 'origin', 'v2')
    for (const n of ['1', '2']) {
      await writeFile(join(app, `v2-${n}.txt`), n)
      await git(app, 'add', '.')
      await git(app, 'commit', '-qm', `v2 ${n}`)
    }
    await git(app, 'tag', 'v2', 'main')
    await git(app, 'checkout', '-q', '-b', 'v3', 'main')
    await writeFile(join(app, 'v3.txt'), '3')
    await git(app, 'add', '.')
    await git(app, 'commit', '-qm', 'v3')
    await git(app, 'tag', 'v3', 'main')
    await git(app, 'checkout', '-q', 'v2')

    const r = await check()
    expect(rel(r).get('/work/app')).toMatchObject({ branch: 'v2', unpushed: 2, unpublishedBranches: ['v3'], errors: [] })
    expect(r.summary[0]).toBe(`${tilde(app)} (v2): 2 commits not pushed, branch v3 on no remote`)
  })

  it('a push to a repository inside the VM is no push: its branches count as on no remote, and it is named', async () => {
    await freshHome()
    // Cloned from a bare repository in the VM's own home: main is pushed and tracking, but only inside the VM.
    const bare = join(home, 'bare.git')
    await execa('git', ['init', '-q', '--bare', bare])
    const seed = await repo(join(await tempDir('cal-git-seed-'), 'seed'))
    await git(seed, 'push', '-q', bare, 'main')
    await git(home, 'clone', '-q', '-b', 'main', bare, join(home, 'work', 'app'))
    const app = join(home, 'work', 'app')
    // The same, with a second remote outside the VM that holds main too: nothing at risk.
    const { path: safe } = await pushedClone(join(home, 'work', 'safe'))
    const bare2 = join(home, 'bare2.git')
    await execa('git', ['init', '-q', '--bare', bare2])
    await git(safe, 'remote', 'add', 'local', bare2)
    await git(safe, 'push', '-q', 'local', 'main')

    const r = await check()
    expect(rel(r).get('/work/app')).toMatchObject({ branch: 'main', unpushed: 0, unpublishedBranches: ['main'], remotesInVm: [{ name: 'origin', url: bare }], errors: [] })
    expect(rel(r).get('/work/safe')).toMatchObject({ unpushed: 0, unpublishedBranches: [], remotesInVm: [{ name: 'local', url: bare2 }], errors: [] })
    expect(r.summary[0]).toBe(`${tilde(app)} (main): branch main on no remote outside this VM, remote origin (${bare}) is a repository inside the VM, lost with it`)
    // The bare repositories are checked too, each on its own: they have no remote, so their branches are on none
    // (bare2's main is on safe's origin, which bare2 cannot know).
    expect(r.summary.slice(1)).toEqual([`${tilde(bare)}: branch main on no remote`, `${tilde(bare2)}: branch main on no remote`, 'checked 4 repositories under ~ (depth 6)'])
  })

  it('tells remotes elsewhere from remotes inside the VM by their URL', async () => {
    await freshHome()
    const outside = await newRemote('shared.git')
    await execa('git', ['init', '-q', '--bare', outside])
    const cases: [string, string, boolean][] = [
      ['scp', 'git@github.example:me/app.git', false],
      ['https', 'https://git.example/me/app.git', false],
      ['ssh', 'ssh://git@git.example:2222/me/app.git', false],
      ['share', outside, false],
      ['share-file', `file://${outside}`, false],
      ['path', join(home, 'elsewhere.git'), true],
      ['file', `file://${join(home, 'elsewhere.git')}`, true],
      ['relative', '../elsewhere.git', true],
      ['localhost', 'ssh://admin@localhost/Users/admin/app.git', true],
      ['loopback', '127.0.0.1:app.git', true],
      ['loopback-ssh', 'ssh://git@127.0.1.1:22/srv/app.git', true],
      ['ipv6-loopback', 'ssh://[::1]/srv/app.git', true],
      ['ipv4-host', 'ssh://10.0.0.5/srv/app.git', false],
    ]
    for (const [name, url] of cases) {
      const path = await repo(join(home, 'work', name))
      await git(path, 'remote', 'add', 'origin', url)
      // What a push or fetch leaves behind: main tracked on origin.
      await git(path, 'update-ref', 'refs/remotes/origin/main', 'HEAD')
      await git(path, 'branch', '-q', '--set-upstream-to=origin/main')
    }
    const byPath = rel(await check())
    for (const [name, url, inVm] of cases) {
      expect(byPath.get(`/work/${name}`), name).toMatchObject(inVm ? { unpublishedBranches: ['main'], remotesInVm: [{ name: 'origin', url }] } : { unpublishedBranches: [], remotesInVm: [] })
    }
  })

  it('a tag holding commits on no branch and no remote is work at risk; a tag on pushed commits is not', async () => {
    await freshHome()
    const { path: app } = await pushedClone(join(home, 'work', 'app'))
    await git(app, 'tag', 'pushed-already', 'main')
    await git(app, 'checkout', '-q', '--detach')
    await writeFile(join(app, 'release.txt'), 'r')
    await git(app, 'add', '.')
    await git(app, 'commit', '-qm', 'release fix')
    await git(app, 'tag', '-a', '-m', 'release', 'v1.0.1')
    await git(app, 'checkout', '-q', 'main')

    const r = await check()
    expect(r.clean).toBe(false)
    expect(rel(r).get('/work/app')).toMatchObject({ branch: 'main', unpushed: 0, unpublishedBranches: ['(tag v1.0.1)'], errors: [] })
    expect(r.summary[0]).toBe(`${tilde(app)} (main): tag v1.0.1 with commits on no branch or remote`)
  })

  it('a git failure leaves the check incomplete: reported, never counted as 0, and the guard asks', async () => {
    await freshHome()
    const { path: app } = await pushedClone(join(home, 'work', 'app'))
    await git(app, 'checkout', '-q', '-b', 'side')
    await git(app, 'push', '-q', '-u', 'origin', 'side')
    await writeFile(join(app, 'side.txt'), 's\n')
    await git(app, 'add', '.')
    await git(app, 'commit', '-qm', 'local work')
    const sha = (await git(app, 'rev-parse', 'side')).stdout.trim()
    await git(app, 'checkout', '-q', 'main')
    // The unpushed commit's object goes missing (a damaged repository): counting it fails.
    await unlink(join(app, '.git', 'objects', sha.slice(0, 2), sha.slice(2)))

    const r = await check()
    expect(r.clean).toBe(false)
    expect(rel(r).get('/work/app')).toMatchObject({ uncommitted: 0, untracked: 0, unpushed: 0, errors: ['rev-list refs/heads/side'] })
    expect(r.summary[0]).toBe(`${tilde(app)}: the check could not be completed (git failed: rev-list refs/heads/side)`)

    // Where git can say why, the report says it too: an index git cannot read.
    const broken = await repo(join(home, 'work', 'broken'))
    await writeFile(join(broken, '.git', 'index'), 'not an index')
    const why = rel(await check()).get('/work/broken')!.errors
    expect(why).toHaveLength(1)
    expect(why[0]).toMatch(/^status: (fatal|error): .*index/)

    const ctx = { tart: { get: async () => ({ state: 'running' }) }, exec: localExec } as unknown as VmContext
    await expect(guardDestructive(ctx, 'vm', 'restore', { confirmed: false, reports: new ShownReports() })).rejects.toMatchObject({
      code: 'GIT_RISK',
      details: { report: { clean: false, summary: expect.arrayContaining([expect.stringContaining('could not be completed')]) } },
    })
  })

  it('a check that cannot run asks for confirmation instead of blocking the restore', async () => {
    // A login shell that fails outright (here `false` in place of sh): the scan never runs.
    const ctx = { tart: { get: async () => ({ state: 'running' }) }, exec: execIn(() => home, ['false']) } as unknown as VmContext
    const err = await guardDestructive(ctx, 'vm', 'restore', { confirmed: false, reports: new ShownReports() }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'CONFIRMATION_REQUIRED', details: { vm: 'vm', action: 'restore', checked: false, cause: 'INTERNAL' } })
    expect((err as Error).message).toMatch(/^CAL could not check "vm" for unsaved git work before the restore: The git safety check in "vm" failed \(exit 1\)\.$/)
    expect((err as { hint: string }).hint).toMatch(/confirm the restore \(--yes\) to go ahead without the check\.$/)
    expect(await guardDestructive(ctx, 'vm', 'restore', { confirmed: true, reports: new ShownReports() })).toBeNull()
  })

  it('a yes given to a report is checked again: more at risk by then is refused with the new report, the same goes ahead', async () => {
    await freshHome()
    const { path: app } = await pushedClone(join(home, 'work', 'app'))
    const commit = async (file: string) => {
      await writeFile(join(app, file), `${file}\n`)
      await git(app, 'add', file)
      await git(app, 'commit', '-qm', file)
    }
    await commit('one.txt')
    await writeFile(join(app, 'scratch.txt'), 'notes\n')
    let state = 'running'
    const ctx = { tart: { get: async () => ({ state }) }, exec: localExec } as unknown as VmContext
    const reports = new ShownReports()
    const ask = (checkedAt?: string) => guardDestructive(ctx, 'vm', 'restore', { confirmed: true, checkedAt, reports })

    // What the user reads: the clone's two commits on no remote outside the VM (its origin is a folder on the same
    // disk), one untracked file.
    const shown = ((await guardDestructive(ctx, 'vm', 'restore', { confirmed: false, reports }).catch((e: unknown) => e)) as { details: { report: GitSafetyReport } }).details.report
    expect(shown.repos.find((r) => r.path.endsWith('/work/app'))).toMatchObject({ unpublishedBranches: ['main'], unpublishedCommits: 2, untracked: 1 })
    expect(await ask(shown.checkedAt)).toMatchObject({ clean: false })

    // Meanwhile the agent committed again: that yes no longer covers what would be lost.
    await commit('two.txt')
    const err = await ask(shown.checkedAt).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'GIT_RISK', details: { action: 'restore', changedSinceConfirmed: true } })
    expect((err as Error).message).toMatch(/^More is at risk in "vm" than when you confirmed the restore: .*branch main on no remote/)
    expect((err as { hint: string }).hint).toBe('Nothing was changed. Read the new report and confirm the restore again. If an agent is still at work there, end its session first, or its work changes again.')
    // The new report, once read and confirmed, goes ahead; a report CAL never showed covers nothing.
    const newer = (err as { details: { report: GitSafetyReport } }).details.report
    expect(newer.repos.find((r) => r.path.endsWith('/work/app'))).toMatchObject({ unpublishedCommits: 3 })
    expect(await ask(newer.checkedAt)).toMatchObject({ clean: false })
    await expect(ask('2000-01-01T00:00:00.000Z')).rejects.toMatchObject({ code: 'GIT_RISK' })
    // The command line's --yes names no report: no second check. A stopped VM cannot have changed.
    expect(await ask()).toBeNull()
    state = 'stopped'
    expect(await ask('2000-01-01T00:00:00.000Z')).toBeNull()
    // Less at risk than was read is asked about again too: a file gone can hide another one edited meanwhile.
    state = 'running'
    await unlink(join(app, 'scratch.txt'))
    await expect(ask(newer.checkedAt)).rejects.toMatchObject({ code: 'GIT_RISK', details: { changedRepos: [expect.stringMatching(/\/work\/app$/)] } })
  })

  it('past the first 1,000 untracked files, one edited to the same size still changes the fingerprint', async () => {
    await freshHome()
    const app = await repo(join(home, 'work', 'app'))
    await mkdir(join(app, 'many'))
    // Listed in path order: f1004 is past the 1,000 whose content is hashed.
    for (let i = 0; i < 1005; i++) await writeFile(join(app, 'many', `f${String(i).padStart(4, '0')}`), 'a\n')
    const fp = async () => rel(await check()).get('/work/app')!.fingerprint
    const before = await fp()
    expect(await fp()).toBe(before)
    await writeFile(join(app, 'many', 'f1004'), 'b\n')
    const after = await fp()
    expect(after).not.toBe(before)
    expect(rel(await check()).get('/work/app')).toMatchObject({ untracked: 1005 })
    // One renamed past the bound (same inode, size and time): changed again, while the count stays the same.
    await rename(join(app, 'many', 'f1003'), join(app, 'many', 'f1009'))
    expect(await fp()).not.toBe(after)
  })

  it('an untracked file with a space in its name, edited to the same size, changes the fingerprint', async () => {
    await freshHome()
    const app = await repo(join(home, 'work', 'app'))
    // macOS names: git status quotes such a path ("My Notes/todo 1.md"), which named no file to read.
    await mkdir(join(app, 'My Notes'))
    await writeFile(join(app, 'My Notes', 'todo 1.md'), 'a\n')
    const fp = async () => rel(await check()).get('/work/app')!.fingerprint
    const before = await fp()
    await writeFile(join(app, 'My Notes', 'todo 1.md'), 'b\n')
    expect(await fp()).not.toBe(before)
  })

  it('a new folder counts as the files in it, not as one untracked file', async () => {
    await freshHome()
    const { path: app } = await pushedClone(join(home, 'work', 'app'))
    for (const f of ['gen/a.txt', 'gen/b.txt', 'gen/deep/c.txt', 'gen/deep/er/d.txt', 'notes.txt']) {
      await mkdir(join(app, f, '..'), { recursive: true })
      await writeFile(join(app, f), `${f}\n`)
    }
    // Ignored files are not work at risk, also inside a new folder.
    await writeFile(join(app, '.git', 'info', 'exclude'), '*.log\n')
    await writeFile(join(app, 'gen', 'build.log'), 'log\n')
    const r = await check()
    expect(rel(r).get('/work/app')).toMatchObject({ uncommitted: 0, untracked: 5, errors: [] })
    expect(r.summary[0]).toBe(`${tilde(app)} (main): 5 untracked files`)
  })

  it('a yes given to a report does not cover work changed under the same counts: a file edited again, a commit amended', async () => {
    await freshHome()
    const { path: app } = await pushedClone(join(home, 'work', 'app'))
    await writeFile(join(app, 'a.txt'), 'edited once\n')
    await writeFile(join(app, 'notes.txt'), 'first notes\n')
    await writeFile(join(app, 'c.txt'), 'c\n')
    await git(app, 'add', 'c.txt')
    await git(app, 'commit', '-qm', 'c')
    const ctx = { tart: { get: async () => ({ state: 'running' }) }, exec: localExec } as unknown as VmContext
    const reports = new ShownReports()
    const ask = (checkedAt?: string) => guardDestructive(ctx, 'vm', 'restore', { confirmed: true, checkedAt, reports })
    const read = async () => ((await guardDestructive(ctx, 'vm', 'restore', { confirmed: false, reports }).catch((e: unknown) => e)) as { details: { report: GitSafetyReport } }).details.report
    const appIn = (r: GitSafetyReport) => r.repos.find((x) => x.path.endsWith('/work/app'))!

    const shown = await read()
    expect(appIn(shown)).toMatchObject({ uncommitted: 1, untracked: 1 })
    expect(appIn(shown).fingerprint).toMatch(/^\d+ \d+$/)
    // Nothing changed: the same fingerprint, and the yes holds.
    expect(appIn(await read()).fingerprint).toBe(appIn(shown).fingerprint)
    expect(await ask(shown.checkedAt)).toMatchObject({ clean: false })

    // The changed file edited again, the untracked one too, a commit amended: the same counts each time.
    const changes: [string, () => Promise<unknown>][] = [
      ['a changed file edited again', () => writeFile(join(app, 'a.txt'), 'edited twice\n')],
      ['an untracked file edited', () => writeFile(join(app, 'notes.txt'), 'more notes\n')],
      ['a commit amended', () => git(app, 'commit', '-q', '--amend', '-m', 'c, amended')],
    ]
    let confirmed = shown
    for (const [what, change] of changes) {
      await change()
      const err = (await ask(confirmed.checkedAt).catch((e: unknown) => e)) as CalError
      expect(err, what).toMatchObject({ code: 'GIT_RISK', details: { changedSinceConfirmed: true, changedRepos: [expect.stringMatching(/\/work\/app$/)] } })
      expect(err.message, what).toMatch(/^Work at risk in "vm" changed since you confirmed the restore \(in .*\/work\/app\): /)
      const newer = err.details!.report as GitSafetyReport
      expect(appIn(newer), what).toMatchObject({ uncommitted: 1, untracked: 1, unpushed: appIn(shown).unpushed, unpublishedCommits: appIn(shown).unpublishedCommits })
      // The new report, once confirmed, goes ahead.
      expect(await ask(newer.checkedAt), what).toMatchObject({ clean: false })
      confirmed = newer
    }

    // One untracked file deleted while another is edited: fewer files at risk, and work the report never showed.
    await writeFile(join(app, 'draft.txt'), 'draft\n')
    const two = await read()
    expect(appIn(two)).toMatchObject({ untracked: 2 })
    await unlink(join(app, 'notes.txt'))
    await writeFile(join(app, 'draft.txt'), 'draft, rewritten\n')
    const err = (await ask(two.checkedAt).catch((e: unknown) => e)) as CalError
    expect(err).toMatchObject({ code: 'GIT_RISK', details: { changedSinceConfirmed: true, changedRepos: [expect.stringMatching(/\/work\/app$/)] } })
    expect(appIn(err.details!.report as GitSafetyReport)).toMatchObject({ untracked: 1 })
  })

  it('git variables left in the login environment change nothing: other objects, extra config', async () => {
    await freshHome()
    const { path: app } = await pushedClone(join(home, 'work', 'app'))
    await writeFile(join(app, 'b.txt'), 'b\n')
    await git(app, 'add', 'b.txt')
    await git(app, 'commit', '-qm', 'unpushed')
    const env = {
      GIT_OBJECT_DIRECTORY: join(home, 'no-such-objects'),
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'status.showUntrackedFiles',
      GIT_CONFIG_VALUE_0: 'no',
    }
    const r = await check(execIn(() => home, ['sh'], process.env.PATH, env))
    expect(rel(r).get('/work/app')).toMatchObject({ unpushed: 1, errors: [] })
  })

  it('a missing home folder is reported, not scanned as empty', async () => {
    const gone = join(await tempDir(), 'gone')
    const r = await check(execIn(() => gone))
    expect(r.clean).toBe(false)
    expect(r.summary[0]).toBe(`${gone}: CAL could not look for repositories here (the home folder does not exist)`)
  })

  it('a folder the scan cannot read is named and counts as not checked, under dash and bash in POSIX mode', async () => {
    await freshHome()
    await pushedClone(join(home, 'work', 'ok'))
    // Unpushed work nobody could see, and a name GNU find quotes and escapes in its message.
    const hidden = join(home, 'private')
    await repo(join(hidden, 'app'))
    const odd = join(home, "it's: ü")
    await repo(join(odd, 'lib'))
    // A backslash and three digits in the name itself (GNU find writes a\\101b): no octal escape.
    const slash = join(home, 'a\\101b')
    await repo(join(slash, 'lib'))
    await ownHome()
    await chmod(hidden, 0)
    await chmod(odd, 0)
    await chmod(slash, 0)
    try {
      for (const shell of [['dash'], ['bash', '--posix']]) {
        const r = await check(execIn(() => home, [...unprivileged, ...shell]))
        expect([...rel(r).keys()]).toEqual(['/work/ok'])
        expect(r.clean).toBe(false)
        expect(r.unreadable).toEqual([
          { path: slash, reason: 'denied' },
          { path: odd, reason: 'denied' },
          { path: hidden, reason: 'denied' },
        ])
        expect(r.summary).toEqual([
          "~/a\\101b, ~/it's: ü and ~/private: not checked, their permissions keep the VM's user out (to let CAL check them, make them readable)",
          'checked 1 repository under ~ (depth 6)',
        ])
      }
    } finally {
      await chmod(hidden, 0o755)
      await chmod(odd, 0o755)
      await chmod(slash, 0o755)
    }
  })

  it("reads BSD find's wording: macOS's privacy protection, a denied folder, and lines of other kinds", async () => {
    await freshHome()
    // BSD find cannot run here: a stand-in prints its messages (unquoted paths), then the real find scans.
    const bin = await tempDir('cal-git-bin-')
    const realFind = (await execa('sh', ['-c', 'command -v find'])).stdout.trim()
    const messages = [
      `${home}/Documents: Operation not permitted`,
      `${home}/Desktop: Operation not permitted`,
      `${home}/a: b: Permission denied`,
      `${home}/vanished: No such file or directory`,
      'fts_read: Invalid argument',
    ]
    await writeFile(
      join(bin, 'find'),
      `#!/bin/sh
if [ "$2" = "$HOME" ]; then printf 'find: %s\n' ${messages.map((m) => `'${m}'`).join(' ')} >&2; fi
exec ${realFind} "$@"
`,
      { mode: 0o755 },
    )
    for (const shell of [['dash'], ['bash', '--posix']]) {
      const r = await check(execIn(() => home, shell, `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`))
      expect(r.clean).toBe(false)
      expect(r.unreadable).toEqual([
        { path: home, reason: 'fts_read: Invalid argument' },
        { path: `${home}/Desktop`, reason: 'not-permitted' },
        { path: `${home}/Documents`, reason: 'not-permitted' },
        { path: `${home}/a: b`, reason: 'denied' },
      ])
      expect(r.summary).toEqual([
        '~: not checked (fts_read: Invalid argument)',
        '~/Desktop and ~/Documents: not checked, macOS keeps these folders from SSH sessions (to let CAL check them, turn on System Settings → General → Sharing → Remote Login → ⓘ → "Allow full disk access for remote users" in the VM)',
        "~/a: b: not checked, its permissions keep the VM's user out (to let CAL check it, make it readable)",
        'found no git repositories under ~ (depth 6)',
      ])
    }
  })

  it('ends when the script ends, even when git leaves a helper running (a clean filter that starts a daemon)', async () => {
    await freshHome()
    const app = await repo(join(home, 'work', 'app'))
    // Like git's fsmonitor daemon or an LFS helper, the filter's helper outlives git and keeps every descriptor but
    // 0-2 it inherited. git status runs the clean filter on a racily clean file (modified in the index's second).
    const pidFile = join(home, 'helper.pid')
    const filter = join(home, 'clean-filter')
    await writeFile(filter, `#!/bin/sh\n( sleep 30 ) </dev/null >/dev/null 2>&1 &\necho $! > '${pidFile}'\ncat\n`, { mode: 0o755 })
    await git(app, 'config', 'filter.spawn.clean', filter)
    await writeFile(join(app, '.gitattributes'), '*.txt filter=spawn\n')
    await git(app, 'add', '.gitattributes')
    await git(app, 'commit', '-qm', 'attributes')
    await execa('touch', ['-r', join(app, '.git', 'index'), join(app, 'a.txt')])
    // Run as sshd does: the command is over when its output reaches end of file.
    const child = spawn('sh', ['-c', gitScanCommand([])], { env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    await new Promise((r) => child.stdout.once('close', r))
    const helper = Number(await readFile(pidFile, 'utf8'))
    try {
      // The output ended while the helper still runs: it did not hold the channel open.
      expect(() => process.kill(helper, 0)).not.toThrow()
      expect(out).toMatch(/DONE\n$/)
    } finally {
      process.kill(helper, 'SIGKILL')
    }
  })

  it("prints the same records under dash and bash in POSIX mode (macOS's /bin/sh)", async () => {
    await freshHome()
    await pushedClone(join(home, 'projects', 'app'))
    await git(join(home, 'projects', 'app'), 'update-index', '--assume-unchanged', 'a.txt')
    await writeFile(join(home, 'projects', 'app', 'a.txt'), 'edited under the mark\n')
    await git(join(home, 'projects', 'app'), 'worktree', 'add', '-q', '-b', 'wt', join(home, 'wt'))
    await writeFile(join(home, 'wt', 'u.txt'), 'u\n')
    await repo(join(home, 'Developer', 'org', 'repo'))
    await git(join(home, 'Developer', 'org', 'repo'), 'clone', '-q', '--bare', '.', join(home, 'Developer', 'repo.git'))
    await git(join(home, 'Developer', 'org', 'repo'), 'clone', '-q', '--bare', '.', join(home, '.cfg'))
    const records = async (shell: string[]) => (await execIn(() => home, shell)('vm', gitScanCommand([home]))).stdout
    const dash = await records(['dash'])
    expect(dash).toContain(`REPO\t${home}/projects/app\trefs/heads/main\t1\t`)
    expect(await records(['bash', '--posix'])).toBe(dash)
  })
})

describe("the check's time limits", () => {
  // What the SSH exec does at its limits is tested against a real sshd (ssh.integration.test.ts): here, what the check
  // asks of it, and what it says when a limit is reached.
  const stoppedBy = (err: CalError) => {
    const asked: unknown[] = []
    const exec: RemoteExec = (_vm, _command, opts) => (asked.push(opts), Promise.reject(err))
    return { asked, result: checkGitSafety(exec, 'big').then(() => new CalError('INTERNAL', 'no error'), (e: unknown) => e as CalError) }
  }

  it('stops on a minute of silence, not at a minute in all: a VM with thousands of repositories takes longer', async () => {
    const { asked, result } = stoppedBy(commandQuiet('VM "big"', 60_000))
    const err = await result
    expect(asked).toEqual([expect.objectContaining({ quietMs: 60_000, timeoutMs: 15 * 60_000 })])
    // Not SSH_TIMEOUT, which the CLI gives exit 9 ("VM unreachable") for a VM that answered.
    expect(err.code).toBe('INTERNAL')
    expect(err.message).toBe('The git safety check in "big" made no progress for 60 s: git may be stuck on one repository (a hook or filter that waits, a network folder). It was stopped, and nothing was changed.')
    expect(err.hint).toContain('cal ssh big -- ps ax')
    expect((await stoppedBy(commandTimedOut('VM "big"', 15 * 60_000)).result).message).toMatch(/^The git safety check in "big" did not finish within 15 min\. /)
  })

  it('a VM that does not answer over SSH stays so', async () => {
    const unreachable = new CalError('SSH_TIMEOUT', 'VM "big" did not answer over SSH within 15 s, so a command there did not run.', '', { timeoutMs: 15_000, stage: 'connect' })
    expect(await stoppedBy(unreachable).result).toBe(unreachable)
  })
})

describe('parseGitScan', () => {
  it('needs the DONE marker (a cut-off scan is an error, never "clean")', () => {
    expect(() => parseGitScan('vm', 'REPO\t/x\tmain\t0\t0\t0\n')).toThrow(expect.objectContaining({ code: 'INTERNAL' }))
  })

  it('treats a repository git could not read as a risk', () => {
    const r = parseGitScan('vm', 'NOGIT\t/home/admin/x\nDONE\n')
    expect(r.clean).toBe(false)
    expect(r.summary[0]).toContain('git is not installed')
    const e = parseGitScan('vm', 'ERR\t/home/admin/y\tstatus\nREPO\t/home/admin/y\trefs/heads/main\t0\t0\t0\t0\nDONE\n')
    expect(e.clean).toBe(false)
    expect(e.repos[0]).toMatchObject({ path: '/home/admin/y', branch: 'main', errors: ['status'] })
    expect(e.summary[0]).toBe('/home/admin/y: the check could not be completed (git failed: status)')
  })

  it('a folder the scan could not read makes the report not clean, and is named once, with ~ for the home folder', () => {
    const out = [
      'HOME\t/Users/admin',
      'ROOT\t/Users/admin\t6\t/Users/admin',
      'ROOT\t/Users/Shared\t6\t/Users/Shared',
      'SKIP\t/Users/admin/Downloads\tnot-permitted',
      'SKIP\t/Users/Shared/locked\tdenied',
      'SKIP\t/Users/admin/Desktop\tnot-permitted',
      'SKIP\t/Users/admin/Desktop\tnot-permitted',
      'REPO\t/Users/admin/a\trefs/heads/main\t0\t0\t0\t0',
      'DONE',
    ].join('\n')
    const r = parseGitScan('vm', out)
    expect(r.clean).toBe(false)
    expect(r.repos).toHaveLength(1)
    expect(r.unreadable).toEqual([
      { path: '/Users/Shared/locked', reason: 'denied' },
      { path: '/Users/admin/Desktop', reason: 'not-permitted' },
      { path: '/Users/admin/Downloads', reason: 'not-permitted' },
    ])
    expect(r.summary).toEqual([
      "/Users/Shared/locked: not checked, its permissions keep the VM's user out (to let CAL check it, make it readable)",
      '~/Desktop and ~/Downloads: not checked, macOS keeps these folders from SSH sessions (to let CAL check them, turn on System Settings → General → Sharing → Remote Login → ⓘ → "Allow full disk access for remote users" in the VM)',
      'checked 1 repository under ~ (depth 6) and /Users/Shared',
    ])
    const one = parseGitScan('vm', 'HOME\t/Users/admin\nSKIP\t/Users/admin/Documents\tnot-permitted\nSKIP\t/Users/admin/x\tInput/output error\nDONE\n')
    expect(one.summary.slice(0, 2)).toEqual([
      '~/Documents: not checked, macOS keeps this folder from SSH sessions (to let CAL check it, turn on System Settings → General → Sharing → Remote Login → ⓘ → "Allow full disk access for remote users" in the VM)',
      '~/x: not checked (Input/output error)',
    ])
    // A report without the field (from before it existed) reads as nothing unreadable.
    expect(GitSafetyReport.parse({ vm: 'vm', checkedAt: '', repos: [], clean: true, summary: [] }).unreadable).toEqual([])
  })

  it('counts the repositories left out as outside the VM once each, also when nothing else was found', () => {
    const out = ['HOME\t/Users/admin', 'ROOT\t/Users/admin\t6\t/Users/admin', 'OUT\t/Users/admin/workspace/a\t/Volumes/s/a', 'OUT\t/Users/admin/code/a\t/Volumes/s/a', 'DONE'].join('\n')
    const r = parseGitScan('vm', out)
    expect(r).toMatchObject({ clean: true, repos: [], scope: 'checked 0 repositories under ~ (depth 6), 1 repository on a shared folder outside the VM not counted' })
  })

  it('names the scanned roots, with ~ for the home folder', () => {
    const out = [
      'HOME\t/Users/admin',
      'ROOT\t/Users/admin\t6\t/Users/admin',
      'ROOT\t/Users/admin/code\t6\t/Users/admin/code',
      'ROOT\t/Users/Shared\t6\t/Users/Shared',
      ...['/Users/admin/a', '/Users/admin/code/b', '/Users/Shared/c'].map((p) => `REPO\t${p}\trefs/heads/main\t0\t0\t0\t0`),
      'DONE',
    ].join('\n')
    const r = parseGitScan('vm', out)
    expect(r).toMatchObject({ clean: true, home: '/Users/admin', scope: 'checked 3 repositories under ~ (depth 6) and /Users/Shared' })
    expect(r.summary).toEqual([r.scope])
  })
})
