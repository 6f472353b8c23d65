import { constants } from 'node:os'
import { CalError } from '../shared/errors'
import type { CliContext } from './context'
import { exitCodeFor } from './exit-codes'

/** Plain left-aligned columns, like Tart's own tables. */
export function table(headers: string[], rows: (string | number | null)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n'
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g

/**
 * What cal writes, as the terminal will show it: text from the VM (repository paths, session names, Tart's and the
 * guest's messages) cannot clear the screen, move the cursor, retitle the window or hide the lines around it before
 * a question. Control characters are shown as \uNNNN (inside --json's strings, the same character: JSON.stringify
 * leaves DEL and the C1 controls as they are); kept are newlines and tabs, and the progress line's own
 * leading carriage return and trailing erase to the end of the line (\x1b[K).
 */
export function visible(text: string): string {
  const start = text.startsWith('\r') ? '\r' : ''
  const end = text.endsWith('\x1b[K') ? '\x1b[K' : ''
  const body = text.slice(start.length, text.length - end.length)
  return start + body.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + end
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout(JSON.stringify(value, null, 2) + '\n')
}

/**
 * `error: message` and `hint: …` on stderr (or the error as JSON with --json); returns the exit code. What the user
 * called off (a "no" to a question, Ctrl-C) is said without "error:", as `cal run`'s "Not launched." is.
 */
export function printError(ctx: Pick<CliContext, 'stderr' | 'stdout' | 'json'>, err: unknown): number {
  const e = CalError.from(err)
  if (ctx.json) ctx.stdout(JSON.stringify({ ok: false, error: e.toData() }, null, 2) + '\n')
  const report = e.details?.report as GitReportLines | undefined
  ctx.stderr(`${e.code === 'CANCELLED' ? '' : 'error: '}${withoutSummary(e.message, report?.summary)}\n`)
  ctx.stderr(reportLines(report))
  if (e.hint) ctx.stderr(`hint: ${e.hint}\n`)
  // Cancelled by SIGTERM or SIGHUP (see followTask): the exit status that signal's own end would have given.
  const signal = e.code === 'CANCELLED' ? e.details?.signal : undefined
  if (typeof signal === 'string' && signal in constants.signals) return 128 + constants.signals[signal as NodeJS.Signals]
  return exitCodeFor(e.code)
}

/** What a git report's summary and scope need to be listed (the engine's GIT_RISK details carry the report). */
export interface GitReportLines {
  summary?: string[]
  scope?: string
}

/**
 * A git report's summary as "  - item" lines, with where the scan looked ("checked 1 repository under ~") after the
 * list in parentheses, as `cal check` says it: the scope is not one of the things at risk.
 */
export function reportLines(report: GitReportLines | undefined): string {
  const summary = report?.summary ?? []
  const scope = report?.scope && summary.includes(report.scope) ? report.scope : null
  const items = summary.filter((l) => l !== scope).map((l) => `  - ${l}\n`)
  return items.join('') + (scope ? `(${scope})\n` : '')
}

/**
 * An engine message that ends with a git report's summary ("… would lose work in "dev": a; b.") loses that ending
 * when the summary is listed below it, line by line: else the terminal shows it twice.
 */
export function withoutSummary(message: string, summary: string[] | undefined): string {
  const tail = summary?.length ? `: ${summary.join('; ')}.` : null
  return tail && message.endsWith(tail) ? `${message.slice(0, -tail.length)}:` : message
}

/** A moment as this machine's local date and time, to the minute ("2026-11-23 09:05"), as people read a clock. */
export function localStamp(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const two = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`
}

/** "5 minutes ago" style, for snapshot lists. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '-'
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (s < 60) return `${s} s ago`
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86400) return `${Math.round(s / 3600)} h ago`
  return `${Math.round(s / 86400)} days ago`
}

export function usageError(message: string, usage: string): CalError {
  return new CalError('INVALID_INPUT', message, usage)
}
