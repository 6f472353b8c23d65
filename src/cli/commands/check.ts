import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { EXIT } from '../exit-codes'
import { printJson } from '../output'
import { repoAtRisk } from '../../core/git/report'

const USAGE = `Usage: cal check NAME [--json]
  Scan the running VM's git repositories (all of ~ to depth 6, ~/workspace, ~/projects, ~/repos and ~/code even
  when they are links elsewhere, /Users/Shared, and every linked worktree) for uncommitted changes, untracked
  files, stashes, unpushed commits and branches on no remote. A repository git cannot read, or a folder the scan
  cannot (macOS keeps ~/Documents, ~/Desktop and others from SSH sessions without Full Disk Access), counts as
  at risk. Exit 0 when nothing would be lost, 6 when something would or could not be checked.`

export const checkCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, USAGE, { min: 1, max: 1 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  const report = await ctx.handlers['git:check']({ name: a.positionals[0] as string })
  if (ctx.json) printJson(ctx, report)
  else if (report.clean) ctx.stdout(`${report.vm}: nothing would be lost (${report.scope || `${report.repos.length} ${report.repos.length === 1 ? 'repository' : 'repositories'} checked`}).\n`)
  else {
    // Not clean with nothing at risk: a repository or folder could not be checked, and the lines say which.
    const heading = report.repos.some(repoAtRisk) ? 'work that exists only in this VM' : 'not everything could be checked'
    // The summary ends with where the scan looked: said after the list, not as one of its items.
    const items = report.summary.filter((l) => l !== report.scope)
    ctx.stdout(`${report.vm}: ${heading}:\n${items.map((l) => `  - ${l}`).join('\n')}\n${report.scope ? `(${report.scope})\n` : ''}`)
  }
  return report.clean ? EXIT.ok : EXIT.needsConfirmation
}
