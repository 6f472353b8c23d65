import { z } from 'zod'

export const RepoRisk = z.object({
  path: z.string(),
  branch: z.string().nullable(),
  uncommitted: z.number().int(),
  untracked: z.number().int(),
  stashes: z.number().int(),
  /** Commits ahead of the upstream branch. */
  unpushed: z.number().int(),
  /** Local branches with no upstream whose commits exist on no remote (outside the VM), and such tags as "(tag NAME)". */
  unpublishedBranches: z.array(z.string()),
  /** The commits on those that no remote outside the VM holds, counted per branch or tag (so a new one shows). */
  unpublishedCommits: z.number().int().default(0),
  /**
   * Remotes whose repository is on the VM's own disk (a path, or ssh to localhost): pushing there keeps nothing
   * once the VM is gone, so their branches count as no remote.
   */
  remotesInVm: z.array(z.object({ name: z.string(), url: z.string() })).default([]),
  /** A `git worktree add` checkout: its branches and stashes are counted in its main repository. */
  linkedWorktree: z.boolean().default(false),
  /** Git steps that failed here: the check of this repository is incomplete, so it counts as at risk. */
  errors: z.array(z.string()).default([]),
  /**
   * A checksum of the work the counts count (branch tips, stashes, status, the changed files' content), so that a
   * later check of the same VM sees work that changed under the same counts; empty when the scan gave none.
   */
  fingerprint: z.string().default(''),
})
export type RepoRisk = z.infer<typeof RepoRisk>

/** A folder the scan looked in, to `depth` folders below it; `realPath` differs when it is (or is under) a symlink. */
export const ScanRoot = z.object({ path: z.string(), depth: z.number().int(), realPath: z.string() })
export type ScanRoot = z.infer<typeof ScanRoot>

export const GitSafetyReport = z.object({
  vm: z.string(),
  checkedAt: z.string(),
  /** Every repository found; those with nothing at risk have all counts at zero. */
  repos: z.array(RepoRisk),
  /** True when no repository has anything that would be lost, and every repository and folder could be checked. */
  clean: z.boolean(),
  /** Human lines: what would be lost (or could not be checked), then where the scan looked (`scope`). */
  summary: z.array(z.string()),
  /** The guest's $HOME, shown as "~". */
  home: z.string().nullable().default(null),
  /** Where the scan looked. */
  roots: z.array(ScanRoot).default([]),
  /** Where the scan looked, for people: "checked 3 repositories under ~ (depth 6) and /Users/Shared". */
  scope: z.string().default(''),
  /**
   * Folders the scan could not read, so repositories in them went unchecked: the report is not clean. `reason` is
   * "denied" (the folder's permissions), "not-permitted" (macOS privacy protection: SSH sessions without Full Disk
   * Access cannot read ~/Desktop, ~/Documents, ~/Downloads and others) or the error as `find` printed it.
   */
  unreadable: z.array(z.object({ path: z.string(), reason: z.string() })).default([]),
})
export type GitSafetyReport = z.infer<typeof GitSafetyReport>
