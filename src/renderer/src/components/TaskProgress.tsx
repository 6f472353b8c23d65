import type { Task, TaskStep } from '../../../shared/task'
import { bytes, eta, relativeTime } from '../format'
import { Icon } from './icons'
import { appHintOf } from '../../../shared/errors'

const STEP_MARK: Record<TaskStep['state'], string> = { pending: '○', running: '◐', done: '✓', failed: '✕', skipped: '–' }

type Props = { task: Task; onCancel?: (id: string) => void; compact?: boolean }

/** One task: a progress bar (determinate when the engine knows the percent), its steps, its log, cancel. */
export function TaskProgress({ task, onCancel, compact }: Props) {
  const running = task.state === 'running'
  const current = task.steps.find((s) => s.state === 'running')
  const percent = task.percent === null ? null : Math.max(0, Math.min(100, task.percent))
  const amount =
    task.bytesDone !== null && task.bytesTotal ? `${bytes(task.bytesDone)} of ${bytes(task.bytesTotal)}` : task.bytesDone !== null ? bytes(task.bytesDone) : ''
  return (
    <section className={`task task-${notStarted(task) ? 'not-started' : task.state}`} aria-label={task.title} data-testid="task" data-task-kind={task.kind} data-task-state={task.state}>
      <div className="task-head">
        <span className="task-title">{task.title}</span>
        <span className="task-state" title={!running && task.endedAt ? new Date(task.endedAt).toLocaleString() : undefined}>
          {/* When it ended: Activity and Recent activity otherwise list "Done" with nothing to tell today's from last week's. */}
          {running ? (current?.label ?? 'Working…') : `${stateText(task)}${task.endedAt ? ` · ${relativeTime(task.endedAt)}` : ''}`}
        </span>
        {running && task.cancellable && onCancel && (
          <button type="button" className="button small" onClick={() => onCancel(task.id)}>
            Cancel
          </button>
        )}
      </div>
      {running && (
        <div
          className={percent === null ? 'progress indeterminate' : 'progress'}
          role="progressbar"
          aria-label={`${task.title} progress`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent ?? undefined}
        >
          <div className="progress-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
        </div>
      )}
      {running && (percent !== null || amount || task.etaSeconds !== null) && (
        <div className="task-numbers" data-testid="task-numbers">
          {percent !== null && <span>{Math.round(percent)}%</span>}
          {amount && <span>{amount}</span>}
          {task.etaSeconds !== null && <span>{eta(task.etaSeconds)}</span>}
        </div>
      )}
      {task.error && (
        <p className="task-error" role={notStarted(task) ? undefined : 'alert'}>
          {task.error.message} {appHintOf(task.error) && <span className="hint">{appHintOf(task.error)}</span>}
        </p>
      )}
      {!compact && task.steps.length > 0 && (
        <ol className="steps" aria-label="Steps">
          {task.steps.map((step) => (
            <li key={step.id} className={`step step-${step.state}`}>
              <span className="step-mark" aria-hidden="true">
                {STEP_MARK[step.state]}
              </span>
              {step.label}
              <span className="visually-hidden">, {step.state}</span>
            </li>
          ))}
        </ol>
      )}
      {!compact && task.log.length > 0 && (
        <details className="task-log">
          <summary>Log ({task.log.length} {task.log.length === 1 ? 'line' : 'lines'})</summary>
          <pre>{task.log.slice(-300).join('\n')}</pre>
        </details>
      )}
    </section>
  )
}

/**
 * A start refused before it began (two macOS VMs already run, said in its own sheet): nothing failed, nothing was
 * done. Listed as "Not started", not as a red failure that outlives the answer the user already gave.
 */
export function notStarted(task: Task): boolean {
  return task.state === 'failed' && task.error?.code === 'VM_LIMIT_REACHED'
}

function stateText(task: Task): string {
  if (task.state === 'succeeded') return 'Done'
  if (task.state === 'cancelled') return 'Cancelled'
  return notStarted(task) ? 'Not started' : 'Failed'
}

export function TaskIcon({ task }: { task: Task }) {
  return <Icon name={task.state === 'succeeded' ? 'check' : task.state === 'running' ? 'tasks' : 'warning'} />
}
