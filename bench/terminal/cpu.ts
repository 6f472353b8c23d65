import { readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

/**
 * Where the machine's CPU goes during an end-to-end flood, from Linux's per-thread scheduler statistics
 * (/proc/PID/task/TID/schedstat: nanoseconds on a CPU, nanoseconds runnable but waiting for one). Printed beside
 * xterm_vs_ceiling so that a reader can see whether the page's main thread, where xterm parses, was short of
 * work or short of a CPU. Elsewhere than Linux the split is simply not printed.
 */
type Role = 'page' | 'main' | 'chromium' | 'guest' | 'kernel' | 'other'
type Snapshot = Map<string, { role: Role; run: number; wait: number }>

const LABELS: Record<Role, string> = {
  page: "the page's main thread (xterm)",
  main: 'this process (ssh2, batcher, browser host)',
  chromium: "Chromium's other threads (socket worker, IO, raster, compositor)",
  guest: "the guest's sshd and shell",
  kernel: 'kernel workers (the PTY)',
  other: 'everything else',
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

function roleOf(pid: string, tid: string, comm: string, cmdline: string): Role {
  if (pid === String(process.pid)) return 'main'
  if (comm === 'chromium' || comm === 'chrome') return cmdline.includes('--type=renderer') && pid === tid ? 'page' : 'chromium'
  if (['sshd', 'sshd-session', 'cat', 'bash', 'sh'].includes(comm)) return 'guest'
  if (comm.startsWith('kworker')) return 'kernel'
  return 'other'
}

export function cpuSnapshot(): Snapshot {
  const snap: Snapshot = new Map()
  for (const pid of list('/proc').filter((p) => /^\d+$/.test(p))) {
    const comm = read(`/proc/${pid}/comm`)?.trim() ?? ''
    const cmdline = read(`/proc/${pid}/cmdline`) ?? ''
    for (const tid of list(`/proc/${pid}/task`)) {
      const stat = read(`/proc/${pid}/task/${tid}/schedstat`)
      if (!stat) continue
      const [run = 0, wait = 0] = stat.split(' ').map(Number)
      snap.set(`${pid}/${tid}`, { role: roleOf(pid, tid, comm, cmdline), run, wait })
    }
  }
  return snap
}

/** Milliseconds on a CPU per role between two snapshots, and how long the page's busiest main thread waited. */
export function cpuSplit(before: Snapshot, after: Snapshot): { run: Record<Role, number>; pageWait: number } {
  const run: Record<Role, number> = { page: 0, main: 0, chromium: 0, guest: 0, kernel: 0, other: 0 }
  let pageRun = 0
  let pageWait = 0
  for (const [key, now] of after) {
    const was = before.get(key) ?? { run: 0, wait: 0 }
    const ran = (now.run - was.run) / 1e6
    const waited = (now.wait - was.wait) / 1e6
    // Chromium keeps spare renderers; the page is the renderer whose main thread did the work.
    if (now.role === 'page') {
      if (ran > pageRun) [pageRun, pageWait] = [ran, waited]
      run.chromium += ran
    } else {
      run[now.role] += ran
    }
  }
  run.chromium -= pageRun
  run.page = pageRun
  return { run, pageWait }
}

/** Milliseconds on a CPU, all roles together. */
export function cpuTotal(split: ReturnType<typeof cpuSplit>): number {
  return Object.values(split.run).reduce((a, b) => a + b, 0)
}

/** One line for the bench's log: the mean split over the `what` rounds of `wallMs` (mean) each. */
export function describeSplit(what: string, splits: ReturnType<typeof cpuSplit>[], wallMs: number): string | null {
  if (splits.length === 0 || splits.every((s) => s.run.page === 0 && s.run.main === 0)) return null
  const mean = (f: (s: ReturnType<typeof cpuSplit>) => number) => splits.reduce((a, s) => a + f(s), 0) / splits.length
  const roles = Object.keys(LABELS) as Role[]
  const parts = roles.map((r) => `${LABELS[r]} ${mean((s) => s.run[r]).toFixed(0)}`)
  const total = mean(cpuTotal)
  return (
    `CPU per ${what} round, ms (mean of ${splits.length}; wall ${wallMs.toFixed(0)} on ${availableParallelism()} CPUs, ` +
    `${total.toFixed(0)} used): ${parts.join('; ')}. The page's main thread also waited ${mean((s) => s.pageWait).toFixed(0)} ms for a CPU.`
  )
}
