import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkGitSafety } from '../../src/core/git/check'
import { parseGitScan } from '../../src/core/git/report'
import type { RemoteExec } from '../../src/core/git/remote-exec'

// The scan script runs for real here: real sh, real git, in a throw-away $HOME (the VM tests run it over SSH too).
let home: string
const localExec: RemoteExec = async (_vm, command) => {
  const r = await execa('sh', ['-c', command], { env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' }, extendEnv: false, reject: false })
  return { stdout: String(r.stdout), stderr: String(r.stderr), code: r.exitCode ?? -1 }
}
const git = (cwd: string, ...args: string[]) =>
  execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'init.defaultBranch=main', ...args], { cwd, env: { HOME: home } })

async function repo(path: string): Promise<string> {
  await mkdir(path, { recursive: true })
  await git(path, 'init', '-q')
  await writeFile(join(path, 'a.txt'), 'a\n')
  await git(path, 'add', '.')
  await git(path, 'commit', '-qm', 'first')
  return path
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cal-git-'))
})
afterAll(async () => {
  await rm(home, { recursive: true, force: true })
})

describe('git safety check (real git)', () => {
  it('finds nothing in an empty home', async () => {
    const r = await checkGitSafety(localExec, 'vm')
    expect(r).toMatchObject({ vm: 'vm', repos: [], clean: true, summary: [] })
  })

  it('reports uncommitted, untracked, stashes, unpushed and unpublished work; clean repos stay clean', async () => {
    const remote = join(home, 'remote.git')
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
    // too deep for the ~ scan (depth 3), so not reported
    await repo(join(home, 'a', 'b', 'c'))

    const r = await checkGitSafety(localExec, 'vm')
    const byPath = new Map(r.repos.map((x) => [x.path.slice(home.length), x]))
    expect([...byPath.keys()].sort()).toEqual(['/projects/group/dirty', '/scratch', '/workspace/clean'])
    expect(byPath.get('/workspace/clean')).toMatchObject({ branch: 'main', uncommitted: 0, untracked: 0, stashes: 0, unpushed: 0, unpublishedBranches: [] })
    expect(byPath.get('/projects/group/dirty')).toMatchObject({ branch: 'main', uncommitted: 1, untracked: 1, stashes: 1, unpushed: 1, unpublishedBranches: ['feature'] })
    expect(byPath.get('/scratch')?.unpublishedBranches).toEqual(['main'])
    expect(r.clean).toBe(false)
    expect(r.summary.join('\n')).toContain('1 commit not pushed')
    expect(r.summary.join('\n')).toContain('branch feature on no remote')
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
  })
})
