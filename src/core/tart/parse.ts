import { z } from 'zod'
import { CalError } from '../../shared/errors'
import type { TartListEntry, TartState, TartVmDetails } from './types'

const State = z.enum(['running', 'suspended', 'stopped'])

// Both `list --format json` variants: Tart 2.15–2.30 send `SizeOnDisk` (int GB) and no `Accessed`;
// 2.31+ send `Accessed` and no `SizeOnDisk`. Tart before 1.8 has no `State`, only `Running`.
const ListRow = z.object({
  Source: z.string(),
  Name: z.string(),
  Disk: z.number(),
  Size: z.number().optional(),
  SizeOnDisk: z.number().optional(),
  Accessed: z.string().optional(),
  Running: z.boolean().optional(),
  State: State.optional(),
})

const GetObject = z.object({
  OS: z.enum(['darwin', 'linux']).optional(),
  CPU: z.number(),
  Memory: z.number(),
  Disk: z.number(),
  DiskFormat: z.string().optional(),
  // A string with three decimals ("21.347"); accept a number too, in case a future Tart fixes it.
  Size: z.union([z.string(), z.number()]),
  Display: z.string().optional(),
  Running: z.boolean().optional(),
  State: State.optional(),
})

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new CalError('TART_FAILED', `Tart's ${what} output is not valid JSON.`, 'Check that the Tart path (--tart, CAL_TART, or Settings → Tart path in the app) is Tart: `tart --version` names its version.', {
      stdout: text.slice(0, 2000),
    })
  }
}

function stateOf(state: TartState | undefined, running: boolean | undefined): TartState {
  return state ?? (running ? 'running' : 'stopped')
}

export function parseList(text: string): TartListEntry[] {
  const rows = z.array(ListRow).safeParse(parseJson(text, '`list --format json`'))
  if (!rows.success) {
    throw new CalError('TART_FAILED', 'Tart\'s `list --format json` output has an unexpected shape.', 'CAL supports Tart 2.x; check `tart --version`.', {
      issues: rows.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
    })
  }
  return rows.data.map((r) => ({
    source: r.Source.toLowerCase() === 'oci' ? 'oci' : 'local',
    name: r.Name,
    diskGb: r.Disk,
    sizeGb: r.Size ?? r.SizeOnDisk ?? 0,
    accessed: r.Accessed ?? null,
    state: stateOf(r.State, r.Running),
  }))
}

export function parseGet(text: string): TartVmDetails {
  const obj = GetObject.safeParse(parseJson(text, '`get --format json`'))
  if (!obj.success) {
    throw new CalError('TART_FAILED', 'Tart\'s `get --format json` output has an unexpected shape.', 'CAL supports Tart 2.x; check `tart --version`.', {
      issues: obj.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
    })
  }
  const g = obj.data
  const size = typeof g.Size === 'number' ? g.Size : Number.parseFloat(g.Size)
  return {
    os: g.OS ?? 'darwin',
    cpu: g.CPU,
    memoryMb: g.Memory,
    diskGb: g.Disk,
    diskFormat: g.DiskFormat ?? 'raw',
    sizeGb: Number.isFinite(size) ? size : 0,
    display: g.Display ?? '',
    state: stateOf(g.State, g.Running),
  }
}

/** Local VMs only (OCI cache rows are images, not VMs). */
export function localVms(entries: TartListEntry[]): TartListEntry[] {
  return entries.filter((e) => e.source === 'local')
}

/**
 * Each pulled tag appears twice in `tart list`: the tag link `host/ns:tag` and the digest directory
 * `host/ns@sha256:…`. The digest rows are the real directories, so sums count only those.
 */
export function ociImages(entries: TartListEntry[]): TartListEntry[] {
  return entries.filter((e) => e.source === 'oci' && e.name.includes('@sha256:'))
}

/** `host/ns` without a tag means `:latest` to Tart. */
export function normaliseImageRef(ref: string): string {
  if (ref.includes('@')) return ref
  const lastSlash = ref.lastIndexOf('/')
  return ref.slice(lastSlash).includes(':') ? ref : `${ref}:latest`
}

export function isImageCached(entries: TartListEntry[], ref: string): boolean {
  const want = normaliseImageRef(ref)
  return entries.some((e) => e.source === 'oci' && e.name === want)
}

/** Tart's "2.32.1"; from another program by that name, its first line as it is (for saying what it printed). */
export function parseVersion(text: string): string {
  const first = text.trim().split(/\s+/)[0] ?? ''
  return /^\d/.test(first) ? first : (text.trim().split('\n')[0] ?? '')
}

// Tart's interactive logger rewrites the line with ESC[1A \r ESC[J; with CI set it prints plain lines.
// eslint-disable-next-line no-control-regex
const CURSOR_ESCAPES = /\x1b\[[0-9;]*[A-Za-z]|\r/g

export function stripCursorEscapes(line: string): string {
  return line.replace(CURSOR_ESCAPES, '')
}

/** `42%` (a whole progress line, escapes allowed) → 42; anything else → null. */
export function parsePercentLine(line: string): number | null {
  const m = /^\s*(\d{1,3})%\s*$/.exec(stripCursorEscapes(line))
  if (!m) return null
  const n = Number(m[1])
  return n >= 0 && n <= 100 ? n : null
}

/** `pulling disk (23.4 GB compressed)...` → 23.4. */
export function parseCompressedSize(line: string): number | null {
  const m = /pulling disk \(([\d.]+) GB compressed\)/.exec(stripCursorEscapes(line))
  return m ? Number(m[1]) : null
}

/**
 * Splits a stream of stdout chunks into lines (a line may arrive in pieces) and hands each one over.
 * Tart writes `\n` after every update, so a complete line is always terminated.
 */
export class LineSplitter {
  private rest = ''
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const text = this.rest + chunk
    const lines = text.split('\n')
    this.rest = lines.pop() ?? ''
    for (const l of lines) this.onLine(l)
  }

  end(): void {
    if (this.rest) this.onLine(this.rest)
    this.rest = ''
  }
}
