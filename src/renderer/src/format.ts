/** Display formatting for the UI: plain functions so they are easy to test and never touch the store. */
import { VM_RESOURCES } from '../../shared/vm'

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
]

/** "2 minutes ago", "yesterday", "just now"; "never" for null, the raw text if unparseable. */
export function relativeTime(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never'
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return iso
  const seconds = Math.round((t - now) / 1000)
  if (Math.abs(seconds) < 45) return 'just now'
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit)
  }
  return rtf.format(Math.round(seconds / 60), 'minute')
}

/** "3 d 4 h", "2 h 5 m", "4 m 10 s" from a start time; an em dash when not running. */
export function uptime(startedAt: string | null, now = Date.now()): string {
  if (!startedAt) return '—'
  const t = Date.parse(startedAt)
  if (Number.isNaN(t)) return '—'
  return duration(Math.max(0, (now - t) / 1000))
}

export function duration(totalSeconds: number): string {
  const s = Math.floor(totalSeconds)
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  if (d > 0) return `${d} d ${h} h`
  if (h > 0) return `${h} h ${m} m`
  if (m > 0) return `${m} m ${sec} s`
  return `${sec} s`
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB']

/** Decimal units, as Tart and Finder show them. */
export function bytes(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—'
  let v = n
  let i = 0
  while (v >= 1000 && i < BYTE_UNITS.length - 1) {
    v /= 1000
    i++
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${BYTE_UNITS[i]}`
}

export function gb(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—'
  return `${n >= 100 ? Math.round(n) : Number(n.toFixed(1))} GB`
}

/** A size Tart's list gives in whole GB, rounded down: 0 means less than one, not nothing. */
export function usedGb(n: number | null): string {
  return n === 0 ? '< 1 GB' : gb(n)
}

/** Memory is said in GB everywhere (the overview, the create sheet, Settings), to one decimal: 8, 6.5. */
export function memoryGb(mb: number): number {
  return Math.round((mb / 1024) * 10) / 10
}

export function memory(mb: number): string {
  return `${memoryGb(mb)} GB`
}

/** The engine's ranges for a new VM's size (VM_RESOURCES), memory in GB as every field shows it. */
export const VM_FIELDS = {
  cpu: { min: VM_RESOURCES.cpu.min, max: VM_RESOURCES.cpu.max },
  memoryGb: { min: VM_RESOURCES.memoryMb.min / 1024, max: VM_RESOURCES.memoryMb.max / 1024, decimals: 1 },
  diskGb: { min: VM_RESOURCES.diskGb.min, max: VM_RESOURCES.diskGb.max },
}

/** GB as typed in a field, back to the MB the engine takes. */
export function memoryMb(gb: number): number {
  return Math.round(gb * 1024)
}

export function eta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return ''
  return `about ${duration(Math.max(1, seconds))} left`
}

export { listJoin } from '../../shared/text'

export type FindResults = { index: number; count: number }

/** The terminal find bar's count: "3 of 12", "No results", or "1000+ results" past the highlight limit (no index then). */
export function findResultLabel(results: FindResults | null, query: string, invalid: boolean): string {
  if (invalid) return 'Invalid pattern'
  if (!query || !results) return ''
  if (results.count === 0) return 'No results'
  if (results.index < 0) return `${results.count}+ results`
  return `${results.index + 1} of ${results.count}`
}
