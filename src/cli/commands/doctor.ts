import { runDoctor } from '../../core/host/doctor'
import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { printJson } from '../output'

const USAGE = `Usage: cal doctor [--json]
  Check that Tart is installed (and its version), CAL_HOME is writable, CAL's SSH key, free disk space;
  and say what to fix. Exit 0 when nothing fails.`

export const doctorCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, USAGE, { min: 0, max: 0 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  const report = await runDoctor({ calHome: ctx.calHome, tartPath: ctx.tartPath })
  if (ctx.json) return printJson(ctx, report), report.ok ? 0 : 1
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' }
  for (const c of report.checks) {
    ctx.stdout(`[${mark[c.level]}] ${c.message}\n`)
    if (c.fix) ctx.stdout(`       fix: ${c.fix}\n`)
  }
  return report.ok ? 0 : 1
}
