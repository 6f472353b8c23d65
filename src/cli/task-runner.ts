import { CalError } from '../shared/errors'
import type { Task } from '../shared/task'
import type { CliContext } from './context'
import { handlingCtrlC, holdCtrlCUntilExit, STOP_SIGNALS } from './interrupt'
import { reportLines, withoutSummary, type GitReportLines } from './output'

/**
 * Starts a task through the engine and follows it to the end: each step, percent and log line goes to stderr
 * (stdout stays clean for results and --json). Ctrl+C asks the engine to cancel. Throws the task's CalError.
 */
export async function followTask(ctx: CliContext, start: () => Promise<{ taskId: string }>): Promise<Task> {
  const seen = new Map<string, Task[]>()
  let wanted: string | null = null
  let wake: (() => void) | null = null
  const off = ctx.events.on('tasks:updated', (t) => {
    if (wanted && t.id !== wanted) return
    const list = seen.get(t.id) ?? []
    list.push(t)
    seen.set(t.id, list)
    wake?.()
  })
  let cancelAsked = false
  let cancelSent = false
  let saidCancelling = false
  const sayCancelling = () => {
    if (!saidCancelling) ctx.stderr('\ncancelling…\n')
    saidCancelling = true
  }
  const cancel = (id: string) => {
    // Once is enough: a second Ctrl+C while the task winds down asks nothing new (nor says "cancelling…" again).
    if (cancelSent) return
    cancelSent = true
    holdCtrlCUntilExit()
    ctx.handlers['tasks:cancel']({ id }).then(
      sayCancelling,
      // Some work is not safe to stop half-way (a snapshot's suspend, clone and resume): the engine refuses, and
      // the task goes on. Say so, rather than "cancelling…" followed by a success; a later Ctrl+C asks again.
      (err: unknown) => {
        cancelSent = false
        ctx.stderr(`\nnot cancelled: ${CalError.from(err).message} ${CalError.from(err).hint}\n`.replace(/ \n$/, '\n'))
      },
    )
  }
  // SIGTERM (a kill, a supervisor's timeout) and SIGHUP (the terminal window closed) cancel as Ctrl+C does, rather than
  // end cal half-way with the VM left as it was (booting, say); cal then exits as that signal's own would (143, 129).
  let signal: NodeJS.Signals | null = null
  const cancelled = (message: string, hint = '', details?: Record<string, unknown>) =>
    new CalError('CANCELLED', message, hint, signal && signal !== 'SIGINT' ? { ...details, signal } : details)
  const onSignal = (received: NodeJS.Signals) => {
    signal ??= received
    // Ctrl+C before the engine has named the task (while it checks the VM's git work first): cancel it as soon as it
    // has one, or, if it refuses to begin (work at risk), end there rather than ask about it.
    if (wanted) cancel(wanted)
    else if (!cancelAsked) {
      cancelAsked = true
      holdCtrlCUntilExit()
      sayCancelling()
    }
  }
  for (const s of STOP_SIGNALS) process.on(s, onSignal)
  const release = handlingCtrlC()
  try {
    const { taskId } = await start().catch((err: unknown) => {
      // Nothing began: what it would have asked (work at risk, a VM it could not check) is moot after a Ctrl+C.
      if (cancelAsked) throw cancelled('Cancelled before it began; nothing was changed.')
      throw err
    })
    wanted = taskId
    if (cancelAsked) cancel(taskId)
    const printer = progressPrinter(ctx)
    for (;;) {
      const queue = seen.get(taskId) ?? []
      seen.set(taskId, [])
      for (const t of queue) printer(t)
      const last = queue.at(-1)
      if (last && last.state !== 'running') {
        if (last.state === 'succeeded') return last
        const err = last.error ?? { code: 'INTERNAL' as const, message: `${last.title} failed.`, hint: '' }
        if (err.code === 'CANCELLED') throw cancelled(err.message, err.hint, err.details)
        throw new CalError(err.code, err.message, err.hint, err.details)
      }
      await new Promise<void>((r) => (wake = r))
      wake = null
    }
  } finally {
    off()
    for (const s of STOP_SIGNALS) process.off(s, onSignal)
    release()
  }
}

export function progressPrinter(ctx: CliContext): (t: Task) => void {
  const announced = new Set<string>()
  let logged = 0
  let lastPercent: number | null = null
  let lineOpen = false
  const endLine = () => {
    if (lineOpen) ctx.stderr('\n')
    lineOpen = false
  }
  return (t) => {
    for (const s of t.steps) {
      if ((s.state === 'running' || s.state === 'done') && !announced.has(s.id)) {
        announced.add(s.id)
        endLine()
        ctx.stderr(`→ ${s.label}\n`)
        lastPercent = null
      }
    }
    for (const line of t.log.slice(logged)) {
      endLine()
      ctx.stderr(`  ${line}\n`)
    }
    logged = t.log.length
    if (t.percent !== null && t.state === 'running' && t.percent !== lastPercent) {
      const eta = t.etaSeconds !== null ? `, about ${t.etaSeconds} s left` : ''
      if (ctx.isTTY) {
        ctx.stderr(`\r  ${t.percent}%${eta}\x1b[K`)
        lineOpen = true
      } else if (lastPercent === null || t.percent - lastPercent >= 10 || t.percent === 100) {
        ctx.stderr(`  ${t.percent}%\n`)
      } else return
      lastPercent = t.percent
    }
    if (t.state !== 'running') endLine()
  }
}

/**
 * Destructive verbs: with --yes, confirmed at once. Otherwise try unconfirmed; if the engine reports work at
 * risk (GIT_RISK) or an unchecked VM (CONFIRMATION_REQUIRED), show why and ask on a terminal, or refuse. A yes
 * names the report it was given to (`checkedAt`): the engine checks again and refuses if more is at risk by then,
 * and that newer report is asked about in turn.
 */
export async function withConfirmation<T>(ctx: CliContext, call: (confirmed: boolean, checkedAt?: string) => Promise<T>): Promise<T> {
  if (ctx.yes) return call(true)
  let attempt = () => call(false)
  for (;;) {
    try {
      return await attempt()
    } catch (err) {
      if (!(err instanceof CalError) || (err.code !== 'GIT_RISK' && err.code !== 'CONFIRMATION_REQUIRED')) throw err
      if (!ctx.canAsk) {
        throw new CalError(err.code, err.message, `${err.hint} Without a terminal, CAL only proceeds with --yes.`, err.details)
      }
      const report = err.details?.report as (GitReportLines & { checkedAt?: string }) | undefined
      const context = `warning: ${withoutSummary(err.message, report?.summary)}\n${reportLines(report)}`
      ctx.stderr(context)
      if (!(await ctx.confirm('Continue anyway?', context))) throw new CalError('CANCELLED', 'Nothing was changed.')
      const checkedAt = report?.checkedAt
      attempt = () => call(true, checkedAt)
    }
  }
}
