import { runDoctor, type DoctorReport } from '../../core/host/doctor'
import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { EXIT, exitCodeFor } from '../exit-codes'
import { printJson } from '../output'

const USAGE = `Usage: cal doctor [--json]
  Check that Tart is installed (and its version), CAL_HOME is writable, CAL's SSH key, free disk space;
  and say what to fix. Exits 0 when nothing fails, 8 when Tart is missing or cannot be run (as every verb does),
  1 when another check fails.`

/** The exit status other verbs would give for the first failure with an error code (Tart missing: 8), else 1. */
function exitCodeOf(report: DoctorReport): number {
  if (report.ok) return EXIT.ok
  const coded = report.checks.find((c) => c.level === 'fail' && c.code)
  return coded?.code ? exitCodeFor(coded.code) : EXIT.failed
}

export const doctorCommand: CliCommand = async (argv, ctx) => {
  const a = parseVerb(argv, {}, USAGE, { min: 0, max: 0 })
  if (a.help) return ctx.stdout(USAGE + '\n'), 0
  const report = await runDoctor({ calHome: ctx.calHome, tartPath: ctx.tartPath })
  if (ctx.json) return printJson(ctx, report), exitCodeOf(report)
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' }
  for (const c of report.checks) {
    ctx.stdout(`[${mark[c.level]}] ${c.message}\n`)
    if (c.fix) ctx.stdout(`       fix: ${c.fix}\n`)
  }
  return exitCodeOf(report)
}
