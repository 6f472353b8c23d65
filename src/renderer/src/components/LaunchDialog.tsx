import { useEffect, useRef, useState } from 'react'
import { appHintOf, type CalErrorData } from '../../../shared/errors'
import type { LaunchInfo } from '../../../shared/terminal'
import type { VmState } from '../../../shared/vm'
import { snapshotShutsDown } from '../../../shared/power-question'
import { cal, unwrap } from '../api'
import { useLoad } from '../hooks/useLoad'
import { useRunningPrograms } from '../hooks/useRunningPrograms'
import { relativeTime } from '../format'
import { useTasks } from '../store/tasks'
import { useUi } from '../store/ui'
import { useVms } from '../store/vms'
import { launchAgent } from '../actions'
import { sameFailure } from '../report'
import { Modal } from './Modal'
import { RunningPrograms } from './RunningPrograms'
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
  if (info.running) rows.push(['Already running', `${info.running}, in the agent's session: Launch shows it and starts nothing`])
  else if (info.installed === false) rows.push(['Installed', `Not found in the VM: install ${info.command} there first, or its tab will say "command not found"`])
  if (info.signedIn !== null) rows.push(['Signed in', info.signedIn ? 'Yes' : `Not yet (nothing in ${info.signInPath}): it asks you to sign in when it starts`])
  if (info.repository) rows.push(['Repository', info.branch ? `${info.repository} (branch: ${info.branch})` : info.repository])
  rows.push(['Last session snapshot', info.lastBackupAt ? relativeTime(info.lastBackupAt) : 'never'])
  return rows
}

/**
 * What Launch does about snapshots, always said: taking one pauses the VM, which the user should not discover later.
 * `shutsDown`: the VM runs and cannot be suspended, so a snapshot shuts it down and starts it again, ending its programs.
 */
export function snapshotPolicy(autoSnapshot: boolean, running: string | null = null, shutsDown = false): string {
  if (running) return 'None: the agent already runs, so Launch takes no snapshot.'
  const pause = shutsDown
    ? 'this VM cannot be suspended, so it is shut down for the snapshot and started again, which ends the programs running in it'
    : 'the VM pauses while it is taken'
  return autoSnapshot
    ? `A session snapshot is taken first; ${pause} (Settings → Snapshots).`
    : `None: automatic snapshots are off (Settings → Snapshots). Backup first takes one before the agent starts; ${pause}.`
}

/**
 * Why Launch cannot go ahead now that the VM is no longer running (it stopped, or went into an error, while the sheet
 * was open): the facts were read when the sheet opened and say Running. Null while it runs, or when it is unknown.
 */
export function launchBlocked(vm: string, liveState: VmState | undefined): string | null {
  if (liveState === undefined || liveState === 'running') return null
  if (liveState === 'starting') return `${vm} is starting again, so the agent cannot start yet. Launch it once ${vm} is running.`
  const now = liveState === 'error' ? 'in an error state' : STATE_LABEL[liveState].toLowerCase()
  const start = liveState === 'suspended' ? 'Resume it with Start' : 'Start it with Start'
  return `${vm} is ${now} now, so the agent cannot start. ${start} in its Overview, then launch the agent again.`
}

/** Launch's three ways: as the settings say, with a snapshot whatever they say, without any (after one failed). */
type Way = 'launch' | 'backup' | 'no-snapshot'

/** The seeds' launch confirmation: Launch, Backup first, Cancel. */
export function LaunchDialog({ vm }: { vm: string }) {
  const close = useUi((s) => s.closeDialog)
  const { value: info, error } = useLoad(vm, () => unwrap(cal().agent.launchInfo({ name: vm })))
  const [busy, setBusy] = useState<Way | null>(null)
  // The last launch's failure, shown here rather than as toasts under the backdrop.
  const [failure, setFailure] = useState<CalErrorData | null>(null)
  // The failure is the launch's session snapshot's when a snapshot task of this VM failed the same way.
  const snapshotFailed = useTasks((s) => failure !== null && Object.values(s.byId).some((t) => t.kind === 'snapshot' && t.vm === vm && t.state === 'failed' && sameFailure(t.error, failure)))
  // The snapshot task's own toast and main's notice of it report what this sheet already shows, under its backdrop.
  const toasts = useUi((s) => s.toasts)
  useEffect(() => {
    if (failure) toasts.filter((t) => sameFailure(t.error, failure)).forEach((t) => useUi.getState().dismissToast(t.id))
  }, [failure, toasts])
  // The VM as the sidebar shows it now: it may stop while the sheet is open.
  const liveState = useVms((s) => s.vms.find((v) => v.name === vm)?.state)
  const shutsDownNow = useVms((s) => s.vms.some((v) => v.name === vm && snapshotShutsDown(v)))
  // While launching, as it was at the press: the VM's state changes as the snapshot shuts it down.
  const [shutAtPress, setShutAtPress] = useState(false)
  const shutsDown = busy === null ? shutsDownNow : shutAtPress
  // Such a snapshot ends the programs still working in the VM: named here, as the Stop sheet names them.
  const ended = useRunningPrograms(vm, shutsDownNow && info?.running === null)
  // Then Launch's own snapshot ends them: Enter must not, so Cancel keeps the focus, as in every sheet that ends them.
  const launchEnds = !!info?.autoSnapshot && ended.length > 0
  const blocked = busy === null ? launchBlocked(vm, liveState) : null
  const canLaunch = !!info?.isolated && busy === null && blocked === null
  // The facts with the VM's status as it is now (the dot and the label alike), not as it was when the sheet opened.
  const shown = info && busy === null && liveState ? { ...info, vmState: liveState } : info
  const launchRef = useRef<HTMLButtonElement>(null)
  const cancelRef = useRef<HTMLButtonElement>(null)
  // Launch, focused, is disabled when the VM stops: the focus would fall to <body>; Cancel is what is left to press.
  useEffect(() => {
    // (Chromium moves the focus off a disabled button only at its next frame: it may still be on Launch here.)
    const now = document.activeElement
    const lost = now === null || now === document.body || now === launchRef.current || now === launchRef.current?.closest('dialog')
    if (blocked !== null && lost) cancelRef.current?.focus()
  }, [blocked])
  // What showModal() focused (Cancel: Launch is still disabled while the facts load).
  const initialFocus = useRef<Element | null>(null)
  useEffect(() => {
    initialFocus.current = document.activeElement
  }, [])
  // Once Launch can be pressed it takes the focus, so Enter launches, unless the user put the focus elsewhere here or
  // Launch ends programs (named once they are known, which may be after Launch took the focus).
  useEffect(() => {
    const launch = launchRef.current
    if (!canLaunch || !launch) return
    const now = document.activeElement
    if (launchEnds) {
      if (now === launch) cancelRef.current?.focus()
      return
    }
    const dialog = launch.closest('dialog')
    const placed = now !== initialFocus.current && now !== dialog && !!dialog?.contains(now)
    if (!placed) launch.focus()
  }, [canLaunch, launchEnds])
  // The seeds' confirmation keys: Enter launches (the focused default button), B backs up first.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.key === 'b' || e.key === 'B') && !e.metaKey && !e.ctrlKey && !e.altKey && offersBackup && busy === null && blocked === null) {
        e.preventDefault()
        void go('backup')
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })
  // Backup first means something only while automatic session snapshots are off: with them on, Launch takes that very
  // snapshot, and the two buttons did the same.
  const offersBackup = !!info && !info.running && !info.autoSnapshot
  const snapshotting = !info?.running && (busy === 'backup' || (busy === 'launch' && !!info?.autoSnapshot))
  const go = async (way: Way) => {
    setBusy(way)
    setShutAtPress(shutsDownNow)
    setFailure(null)
    const failed = await launchAgent(vm, { backupFirst: way === 'backup', skipSnapshot: way === 'no-snapshot' })
    setBusy(null)
    if (failed) setFailure(failed)
    else close()
  }
  return (
    <Modal
      title={
        <>
          <Icon name="lock" size={16} /> CAL isolation check
        </>
      }
      onClose={close}
      busy={busy !== null}
      testId="launch-dialog"
      footer={
        <>
          <button type="button" className="button" onClick={close} disabled={busy !== null} ref={cancelRef}>
            Cancel
          </button>
          <span className="toolbar-spacer" />
          {offersBackup && (
            <button type="button" className="button" onClick={() => void go('backup')} disabled={busy !== null || blocked !== null} data-testid="launch-backup" aria-keyshortcuts="B">
              {busy === 'backup' ? 'Taking a snapshot…' : 'Backup first'}{' '}
              <kbd className="key-hint" aria-hidden="true">
                B
              </kbd>
            </button>
          )}
          <button type="button" className="button primary" onClick={() => void go('launch')} disabled={!canLaunch} ref={launchRef} data-testid="launch-go">
            {busy === 'launch' ? (info?.running ? 'Opening…' : 'Launching…') : info?.running ? 'Show the agent' : 'Launch'}
          </button>
        </>
      }
    >
      {error && (
        <div className="callout callout-error" role="alert">
          {error.message} {appHintOf(error) && <div className="hint">{appHintOf(error)}</div>}
        </div>
      )}
      {blocked && info && (
        <div className="callout callout-warning" role="alert" data-testid="launch-blocked">
          {blocked}
        </div>
      )}
      {failure && !blocked && (
        <div className="callout callout-error" role="alert" data-testid="launch-error">
          <strong>{snapshotFailed ? 'The session snapshot failed, so the agent was not started.' : 'The agent was not started.'}</strong> {failure.message}
          {appHintOf(failure) && <div className="hint">{appHintOf(failure)}</div>}
          {snapshotFailed && (
            <div className="callout-actions">
              <button type="button" className="button" onClick={() => void go('no-snapshot')} data-testid="launch-no-snapshot">
                Launch without a snapshot
              </button>
            </div>
          )}
        </div>
      )}
      {busy !== null && info && (
        <p role="status" data-testid="launch-progress">
          <span className="spinner" aria-hidden="true" /> {snapshotting
            ? `Taking a session snapshot of ${vm} (it ${shutsDown ? 'shuts down and starts again' : 'pauses'} meanwhile), then starting ${info.agentLabel}…`
            : info.running
              ? `Opening the agent's session in ${vm}…`
              : `Starting ${info.agentLabel} in ${vm}…`}{' '}
          This sheet closes once the agent's tab is open.
        </p>
      )}
      {!info && !error && (
        <p role="status">
          <span className="spinner" aria-hidden="true" /> Checking {vm}…
        </p>
      )}
      {shown && (
        <>
          <dl className="facts facts-single" data-testid="launch-info">
            {launchRows(shown).map(([k, v]) => (
              <div key={k} className="fact">
                <dt>{k}</dt>
                <dd>
                  {k === 'VM status' && KNOWN_STATES.includes(shown.vmState) && <StateDot state={shown.vmState as VmState} decorative />} {v}
                </dd>
              </div>
            ))}
            <div className="fact">
              <dt>Snapshot</dt>
              <dd data-testid="launch-snapshot-policy">{snapshotPolicy(shown.autoSnapshot, shown.running, shutsDown)}</dd>
            </div>
          </dl>
          {busy === null && !shown.running && <RunningPrograms lines={ended} lead={`The snapshot ends what still runs in ${vm}:`} />}
          <p className="muted">The agent will have full access within the VM. Your host system and other files are protected.</p>
          {shown.warning && (
            <div className="callout callout-warning" role="note" data-testid="launch-warning">
              <Icon name="warning" /> {shown.warning}
            </div>
          )}
        </>
      )}
    </Modal>
  )
}
