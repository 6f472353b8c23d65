import { useEffect, useState } from 'react'
import type { LaunchInfo } from '../../../shared/terminal'
import type { VmState } from '../../../shared/vm'
import { cal, unwrap } from '../api'
import { useLoad } from '../hooks/useLoad'
import { relativeTime } from '../format'
import { useUi } from '../store/ui'
import { launchAgent } from '../actions'
import { Modal } from './Modal'
import { STATE_LABEL, StateDot } from './StateDot'
import { Icon } from './icons'

const KNOWN_STATES = Object.keys(STATE_LABEL)

/** The rows of the launch confirmation, as label/value pairs; pure so it can be tested. */
export function launchRows(info: LaunchInfo): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Workspace', info.vm],
    ['VM status', STATE_LABEL[info.vmState as VmState] ?? info.vmState],
    ['Isolation', info.isolated ? 'Active: host filesystem protected' : 'Not active'],
    ['Agent', info.agentLabel],
  ]
  if (info.repository) rows.push(['Repository', info.branch ? `${info.repository} (branch: ${info.branch})` : info.repository])
  rows.push(['Last backup', info.lastBackupAt ? `${relativeTime(info.lastBackupAt)}${info.autoSnapshot ? ' (auto-snapshot on)' : ''}` : 'never'])
  return rows
}

/** The seeds' launch confirmation: Launch, Backup first, Cancel. */
export function LaunchDialog({ vm }: { vm: string }) {
  const close = useUi((s) => s.closeDialog)
  const { value: info, error } = useLoad(vm, () => unwrap(cal().agent.launchInfo({ name: vm })))
  const [busy, setBusy] = useState<'launch' | 'backup' | null>(null)
  // The seeds' confirmation keys: Enter launches (the focused default button), B backs up first.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.key === 'b' || e.key === 'B') && !e.metaKey && !e.ctrlKey && !e.altKey && info && busy === null) {
        e.preventDefault()
        void go(true)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })
  const go = async (backupFirst: boolean) => {
    setBusy(backupFirst ? 'backup' : 'launch')
    const ok = await launchAgent(vm, backupFirst)
    setBusy(null)
    if (ok) close()
  }
  return (
    <Modal
      title={
        <>
          <Icon name="lock" size={16} /> CAL isolation check
        </>
      }
      onClose={close}
      testId="launch-dialog"
      footer={
        <>
          <button type="button" className="button" onClick={close} disabled={busy !== null}>
            Cancel
          </button>
          <span className="toolbar-spacer" />
          <button type="button" className="button" onClick={() => void go(true)} disabled={!info || busy !== null} data-testid="launch-backup" aria-keyshortcuts="B">
            {busy === 'backup' ? 'Taking a snapshot…' : 'Backup first'} <kbd className="key-hint">B</kbd>
          </button>
          <button type="button" className="button primary" onClick={() => void go(false)} disabled={!info || !info.isolated || busy !== null} autoFocus data-testid="launch-go">
            {busy === 'launch' ? 'Launching…' : 'Launch'}
          </button>
        </>
      }
    >
      {error && (
        <div className="callout callout-error" role="alert">
          {error.message} {error.hint && <div className="hint">{error.hint}</div>}
        </div>
      )}
      {!info && !error && (
        <p role="status">
          <span className="spinner" aria-hidden="true" /> Checking {vm}…
        </p>
      )}
      {info && (
        <>
          <dl className="facts facts-single" data-testid="launch-info">
            {launchRows(info).map(([k, v]) => (
              <div key={k} className="fact">
                <dt>{k}</dt>
                <dd>
                  {k === 'VM status' && KNOWN_STATES.includes(info.vmState) && <StateDot state={info.vmState as VmState} />} {v}
                </dd>
              </div>
            ))}
          </dl>
          <p className="muted">The agent will have full access within the VM. Your host system and other files are protected.</p>
          {info.warning && (
            <div className="callout callout-warning" role="note" data-testid="launch-warning">
              <Icon name="warning" /> {info.warning}
            </div>
          )}
        </>
      )}
    </Modal>
  )
}
