import { useState } from 'react'
import type { HostStatus } from '../../../shared/vm'
import { appHintOf, type CalErrorData } from '../../../shared/errors'
import { useTasks } from '../store/tasks'
import { useUi } from '../store/ui'
import { cancelTask, refreshStatus, typeInHostTerminal } from '../actions'
import { Icon } from './icons'
import { TaskProgress } from './TaskProgress'

export const TART_INSTALL = 'brew install cirruslabs/cli/tart'

/** Tart missing: what to run, then check again without restarting. */
export function TartMissing({ status }: { status: HostStatus }) {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(TART_INSTALL)
      setCopied(true)
    } catch {
      setCopied(false)
    }
  }
  return (
    <div className="empty" data-testid="tart-missing">
      <div className="empty-icon" aria-hidden="true">
        <Icon name="screen" size={40} />
      </div>
      <h2>Tart is not installed</h2>
      <p>CAL runs each workspace as a macOS virtual machine with Tart. Install it with Homebrew:</p>
      <div className="command-line">
        <code data-testid="tart-install-command">{TART_INSTALL}</code>
        <button type="button" className="button small" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="button small" onClick={() => void typeInHostTerminal(TART_INSTALL)} data-testid="tart-install-in-host" title="Opens a Host tab with the command typed, ready for Return">
          Type in a Host terminal
        </button>
      </div>
      <p className="muted">
        {status.tartPath ? `Looked for it at ${status.tartPath}. ` : ''}If Tart is installed somewhere else, set its path in Settings.
      </p>
      <div className="empty-actions">
        <button type="button" className="button primary" onClick={() => void refreshStatus()} data-testid="tart-check-again">
          Check again
        </button>
        <button type="button" className="button" onClick={() => useUi.getState().setView('settings')}>
          Open Settings
        </button>
      </div>
    </div>
  )
}

export function NoVms() {
  return (
    <div className="empty" data-testid="no-vms">
      <div className="empty-icon" aria-hidden="true">
        <Icon name="plus" size={40} />
      </div>
      <h2>No workspaces yet</h2>
      <p>A workspace is a macOS VM where an agent can work with full permissions while your Mac stays untouched.</p>
      <div className="empty-actions">
        <button type="button" className="button primary" onClick={() => useUi.getState().openDialog({ kind: 'create' })} data-testid="empty-create">
          Create a workspace
        </button>
      </div>
    </div>
  )
}

/** A workspace being created, selected before Tart lists it: its task's progress, which the New workspace sheet showed. */
export function Creating({ name }: { name: string }) {
  const task = useTasks((s) => Object.values(s.byId).filter((t) => t.kind === 'create' && t.vm === name).sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))[0])
  return (
    <div className="empty creating" data-testid="creating-vm">
      <h2>Creating {name}…</h2>
      <p>It shows here, and in the sidebar, as soon as Tart lists it.</p>
      {task ? <TaskProgress task={task} onCancel={(id) => void cancelTask(id)} /> : <span className="spinner" role="status" aria-label="Starting" />}
    </div>
  )
}

export function EngineDown({ error }: { error: CalErrorData }) {
  return (
    <div className="empty" data-testid="engine-down" role="alert">
      <h2>CAL cannot reach its engine</h2>
      <p>{error.message}</p>
      {appHintOf(error) && <p className="muted">{appHintOf(error)}</p>}
      <div className="empty-actions">
        <button type="button" className="button primary" onClick={() => window.location.reload()}>
          Try again
        </button>
      </div>
    </div>
  )
}
