import { useEffect, useRef, useState } from 'react'
import { appHintOf, type CalErrorData } from '../../../shared/errors'
import { useUi } from '../store/ui'
import { runningVms, useVms } from '../store/vms'
import { deleteVm, endSession, requestPower, startVm } from '../actions'
import type { PowerQuestion } from '../../../shared/power-question'
import type { VmInfo } from '../../../shared/vm'
import { useGitCheck } from '../hooks/useGitCheck'
import { useRunningPrograms } from '../hooks/useRunningPrograms'
import { sessionLabelNow, useSessions } from '../store/sessions'
import { useSettings } from '../store/settings'
import { RunningPrograms } from './RunningPrograms'
import { CreateVmDialog } from './CreateVmDialog'
import { FinishDeleteDialog } from './DeletedLeftovers'
import { LaunchDialog } from './LaunchDialog'
import { ConfirmFooter, Modal } from './Modal'
import { SafetyReport } from './SafetyReport'
import { SnapshotConfirmDialog } from './SnapshotConfirmDialog'
import { StateDot } from './StateDot'

/** The one open sheet, if any. */
export function Dialogs() {
  const dialog = useUi((s) => s.dialog)
  if (!dialog) return null
  switch (dialog.kind) {
    case 'create':
      return <CreateVmDialog />
    case 'launch':
      return <LaunchDialog key={dialog.vm} vm={dialog.vm} />
    case 'snapshot-confirm':
      return <SnapshotConfirmDialog key={`${dialog.vm}:${dialog.action}:${dialog.snapshot?.name}`} action={dialog.action} vm={dialog.vm} snapshot={dialog.snapshot} />
    case 'limit':
      return <LimitDialog vm={dialog.vm} running={dialog.running} />
    case 'delete-vm':
      return <DeleteVmDialog vm={dialog.vm} />
    case 'finish-delete':
      return <FinishDeleteDialog vm={dialog.vm} />
    case 'end-session':
      return <EndSessionDialog vm={dialog.vm} name={dialog.name} />
    case 'power-confirm':
      return <PowerDialog vm={dialog.vm} question={dialog.question} decide={dialog.decide} />
    case 'error':
      return <ErrorDialog title={dialog.title} error={dialog.error} log={dialog.log} />
  }
}

/**
 * VM_LIMIT_REACHED: which VMs hold the two slots, and a way to free one. The sheet says the limit once, in its title:
 * the engine's message and hint say it again, for the command line (`cal stop NAME`), so they are not shown here.
 */
/**
 * The VMs holding the two slots, as the limit sheet lists them. The live list wins over the error's snapshot of it for
 * workspaces: one may have stopped since. The VM that was refused is not one of them, even while its start is winding
 * down. A running VM the list does not show (a snapshot's copy started by hand with Tart) holds a slot too, and only
 * the error knows of it: without it, the sheet said a slot was free, and its Start failed again.
 */
export function slotHolders(vms: VmInfo[], running: string[], vm: string | null): string[] {
  const live = runningVms(vms).map((v) => v.name).filter((name) => name !== vm)
  const unlisted = running.filter((name) => name !== vm && !vms.some((v) => v.name === name))
  return [...live, ...unlisted]
}

export function LimitDialog({ vm, running }: { vm: string | null; running: string[] }) {
  const close = useUi((s) => s.closeDialog)
  const vms = useVms((s) => s.vms)
  const unlisted = useVms((s) => s.unlisted)
  const names = slotHolders(vms, [...new Set([...running, ...unlisted])], vm)
  const free = names.length < 2
  // Once a slot comes free, the keyboard goes to Start (the Stop button it was on is gone with its row). Not when
  // the sheet opens: the page's list can lag behind Tart's for a moment, and Start would then be disabled under it.
  const start = useRef<HTMLButtonElement>(null)
  const wasFree = useRef(free)
  useEffect(() => {
    if (free && !wasFree.current) start.current?.focus()
    wasFree.current = free
  }, [free])
  // A Stop here may ask first (programs running in that VM), in a sheet that takes this one's place: whatever the
  // answer, the user comes back here, to start the VM or to stop the other one instead.
  const stop = async (name: string) => {
    const sheet = useUi.getState().dialog
    await requestPower(name, 'stop')
    if (sheet && useUi.getState().dialog === null) useUi.getState().openDialog(sheet)
  }
  return (
    <Modal
      title={free ? 'A slot is free' : 'Two macOS VMs are already running'}
      onClose={close}
      testId="limit-dialog"
      footer={
        <>
          <button type="button" className="button" onClick={close} data-autofocus>
            Close
          </button>
          {vm && (
            <button
              ref={start}
              type="button"
              className="button primary"
              disabled={!free}
              onClick={() => {
                close()
                void startVm(vm)
              }}
            >
              Start {vm}
            </button>
          )}
        </>
      }
    >
      <p data-testid="limit-message">
        {free
          ? `A slot is free now${vm ? `: ${vm} can start` : ''}.`
          : `Apple's licence allows no more at once on one Mac. ${vm ? `To start ${vm}, stop` : 'Stop'} one of these:`}
      </p>
      {!free && (
        <ul className="plain-list" aria-label="Running VMs">
          {names.map((name) => {
            const info = vms.find((v) => v.name === name)
            return (
              <li key={name} className="limit-row">
                {info && <StateDot state={info.state} />} <span className="limit-name">{name}</span>
                {info ? (
                  <button type="button" className="button small" disabled={info.state === 'stopping'} onClick={() => void stop(name)} data-testid="limit-stop">
                    {info.state === 'stopping' ? 'Stopping…' : `Stop ${name}`}
                  </button>
                ) : (
                  <span className="muted" data-testid="limit-unlisted">
                    not a workspace: stop it with <code>tart stop {name}</code>
                  </span>
                )}
              </li>
            )
          })}
        </ul>
      )}
    </Modal>
  )
}

/** Ending a tmux session stops what runs in it; closing a tab (detaching) is the way to keep it. */
function EndSessionDialog({ vm, name }: { vm: string; name: string }) {
  const close = useUi((s) => s.closeDialog)
  const agent = name === 'cal-agent'
  // Closing a tab is the way to keep a session only when one shows it: a detached session (from Sessions) has none.
  const hasTab = useSessions((s) => s.sessions.some((t) => t.vm === vm && t.tmuxSession === name && t.state !== 'closed'))
  return (
    <Modal
      title={`End ${sessionLabelNow(vm, name)} in ${vm}?`}
      onClose={close}
      testId="end-session-dialog"
      footer={
        <ConfirmFooter
          onCancel={close}
          onConfirm={() => {
            close()
            void endSession(vm, name)
          }}
          label="End session"
          testId="end-session-confirm"
        />
      }
    >
      <p>
        Every program running in the tmux session {agent ? '(the coding agent included) ' : ''}stops, and its screen and
        scrollback are gone. Files in the VM stay as they are.
      </p>
      <p className="muted">
        {hasTab
          ? 'To keep it running, close its tab instead: the session stays in the VM, ready to reattach.'
          : 'To keep it running, cancel: the session stays in the VM, ready to reattach from Sessions.'}
      </p>
    </Modal>
  )
}

/**
 * Stopping or restarting a VM, or shutting it down for a snapshot, ends the programs in its tmux sessions: named here
 * before it happens. With no VM (`vm` null), the question is about the host: closing a Host tab ends its shell.
 */
function PowerDialog({ vm, question, decide }: { vm: string | null; question: PowerQuestion; decide: (yes: boolean) => void }) {
  // Closed any other way than by its confirm button, the question is answered no (see the store's closeDialog).
  const close = useUi((s) => s.closeDialog)
  // The question is about programs running in the VM: once it stops or is gone (stopped from the tray, a terminal,
  // another window), it no longer holds, and a yes would act on a state the user was not asked about.
  const running = useVms((s) => vm === null || s.vms.some((v) => v.name === vm && v.state === 'running'))
  useEffect(() => {
    if (running || vm === null) return
    useUi.getState().pushToast({
      id: `power-moot:${vm}`,
      level: 'info',
      title: `${vm} is no longer running`,
      body: 'It stopped while CAL was asking, so nothing was done. Try again if you still want to.',
      error: null,
      log: [],
    })
    close()
  }, [running, vm, close])
  return (
    <Modal
      title={question.title}
      onClose={close}
      testId="power-dialog"
      footer={
        <ConfirmFooter
          onCancel={close}
          onConfirm={() => {
            decide(true)
            close()
          }}
          label={question.confirm}
          testId="power-confirm"
        />
      }
    >
      <RunningPrograms lines={question.running} />
      <p>{question.consequence}</p>
    </Modal>
  )
}

/**
 * What deleting the base VM (role "clean") means. The engine protects it from a plain delete (`cal delete` needs
 * --force); this sheet is that deliberate override, so it warns rather than claims a protection it then lifts.
 */
export function cleanVmWarning(vm: string, usedAsBaseImage: boolean): string {
  return (
    `${vm} is CAL's base VM: the untouched copy that new workspaces can be cloned from. CAL keeps it from being deleted ` +
    `by accident (the cal command needs --force); typing its name here deletes it all the same. Workspaces already ` +
    `cloned from it are VMs of their own and stay as they are.` +
    (usedAsBaseImage ? ` New workspaces are set to clone it (Settings → Base image): creating one fails until you change that setting.` : '')
  )
}

function DeleteVmDialog({ vm }: { vm: string }) {
  const close = useUi((s) => s.closeDialog)
  const [typed, setTyped] = useState('')
  const info = useVms((s) => s.vms.find((v) => v.name === vm))
  const baseImage = useSettings((s) => s.view?.settings.vmDefaults.baseImage ?? null)
  const running = info?.state === 'running'
  const programs = useRunningPrograms(vm, running)
  const { report, error, risky } = useGitCheck(vm)
  const clean = info?.role === 'clean'
  const confirm = () => {
    close()
    void deleteVm(vm, report?.checkedAt)
  }
  return (
    <Modal
      title={clean ? `Delete the base VM ${vm}?` : `Delete ${vm}?`}
      onClose={close}
      wide={risky}
      testId="delete-vm-dialog"
      footer={
        <ConfirmFooter
          onCancel={close}
          onConfirm={confirm}
          disabled={typed !== vm}
          label={clean ? 'Delete base VM' : 'Delete workspace'}
        />
      }
    >
      <p>
        The VM, its disk and all of its snapshots are deleted. This cannot be undone.
        {/* Deleting powers a running VM off without the Stop sheet's question: say so here. */}
        {running && ` ${vm} is running: CAL powers it off first, and every program running in it (an agent, a build) ends.`}
      </p>
      <RunningPrograms lines={programs} lead={`Still running in ${vm}:`} />
      {clean && (
        <div className="callout callout-warning" role="note" data-testid="delete-clean-warning">
          {cleanVmWarning(vm, baseImage === vm)}
        </div>
      )}
      <SafetyReport report={report} error={error} vm={vm} />
      <label htmlFor="delete-confirm-name">Type {vm} to confirm</label>
      <input
        id="delete-confirm-name"
        className="field"
        value={typed}
        onChange={(e) => setTyped(e.target.value)}
        // Enter in the field deletes once the name is typed, as the enabled button would.
        onKeyDown={(e) => {
          if (e.key !== 'Enter' || typed !== vm) return
          e.preventDefault()
          confirm()
        }}
        autoComplete="off"
        spellCheck={false}
      />
    </Modal>
  )
}

/** The "details" view of an error toast: everything the engine said. */
function ErrorDialog({ title, error, log }: { title: string; error: CalErrorData; log: string[] }) {
  const close = useUi((s) => s.closeDialog)
  return (
    <Modal
      title={title}
      onClose={close}
      wide
      testId="error-details"
      footer={
        <button type="button" className="button primary" onClick={close} autoFocus>
          Close
        </button>
      }
    >
      <dl className="facts facts-single">
        <div className="fact">
          <dt>What failed</dt>
          <dd>{error.message}</dd>
        </div>
        {appHintOf(error) && (
          <div className="fact">
            <dt>What to do</dt>
            <dd>{appHintOf(error)}</dd>
          </div>
        )}
        <div className="fact">
          <dt>Code</dt>
          <dd>
            <code>{error.code}</code>
          </dd>
        </div>
      </dl>
      {error.details && Object.keys(error.details).length > 0 && <pre className="code-block">{JSON.stringify(error.details, null, 2)}</pre>}
      {log.length > 0 && <pre className="code-block">{log.slice(-200).join('\n')}</pre>}
    </Modal>
  )
}
