import { z } from 'zod'

export const RepoRisk = z.object({
  path: z.string(),
  branch: z.string().nullable(),
  uncommitted: z.number().int(),
  untracked: z.number().int(),
  stashes: z.number().int(),
  /** Commits ahead of the upstream branch. */
  unpushed: z.number().int(),
  /** Local branches with no upstream whose commits exist on no remote. */
  unpublishedBranches: z.array(z.string()),
})
export type RepoRisk = z.infer<typeof RepoRisk>

export const GitSafetyReport = z.object({
  vm: z.string(),
  checkedAt: z.string(),
  /** Every repository found; those with nothing at risk have all counts at zero. */
  repos: z.array(RepoRisk),
  /** True when no repository has anything that would be lost. */
  clean: z.boolean(),
  /** Human lines describing what would be lost, empty when clean. */
  summary: z.array(z.string()),
})
export type GitSafetyReport = z.infer<typeof GitSafetyReport>
