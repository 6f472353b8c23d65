import { useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { appHintOf, type CalErrorData } from '../../../shared/errors'
import type { GitSafetyReport } from '../../../shared/git'
import type { Snapshot } from '../../../shared/snapshot'
import type { Task } from '../../../shared/task'
import { useGitCheck } from '../hooks/useGitCheck'
import { useRunningPrograms } from '../hooks/useRunningPrograms'
import { RunningPrograms } from './RunningPrograms'
import { relativeTime, usedGb } from '../format'
import { useVms } from '../store/vms'
import { useUi, type SnapshotAction } from '../store/ui'
import { deleteSnapshot, loadSnapshots, restoreSnapshot, rollbackVm } from '../actions'
import { orderTasks, useTasks } from '../store/tasks'
import { ConfirmFooter, Modal } from './Modal'
import { SafetyReport } from './SafetyReport'

const VERB: Record<SnapshotAction, string> = { restore: 'Restore', delete: 'Delete', rollback: 'Roll back' }

/** What the user loses, in words, before a destructive snapshot command. */
export function lossText(action: SnapshotAction, vm: string, snapshot: Snapshot | null, lastSessionAt: string | null, running = false): string {
  if (action === 'delete' && snapshot) {
    return `Snapshot "${snapshot.name}" (${usedGb(snapshot.sizeGb)}) is deleted for good. ${vm} itself does not change.`
  }
  // The engine powers a running VM off for the swap and starts it again: every program in its terminals ends.
  const restart = running ? ` ${vm} is stopped and started again: every program running in it (an agent, a build) ends, and its terminal tabs reconnect to new tmux sessions.` : ''
  if (action === 'restore' && snapshot) {
    return `${vm}'s disk goes back to snapshot "${snapshot.name}" from ${relativeTime(snapshot.createdAt)}. Everything written to ${vm} since then is lost.${restart}`
  }
  return `${vm} goes back to the start of the last agent session (${relativeTime(lastSessionAt)}). Everything written to ${vm} since then is lost.${restart}`
}

/**
 * The callout after the engine's check at the confirmation refused the action: it names the repositories whose work
 * changed under the same counts, since the new report may then read exactly like the one the user read.
 */
export function changedText(vm: string, changedRepos: string[]): string {
  const what = changedRepos.length > 0 ? `the work in ${changedRepos.join(', ')} changed since the report you read (its counts may even look the same)` : 'the work at risk grew or changed since the report you read'
  return `CAL checked ${vm} again before going ahead: ${what}, so nothing was changed. Read the report below again.`
}

/** Why the sheet's action cannot be confirmed yet: another task works on the VM (the Snapshots tab holds its buttons too). */
export function workingText(vm: string, working: Task[]): string | null {
  const first = working[0]
  return first ? `${first.title} is in progress on ${vm}: wait until it has finished, then confirm.` : null
}

type Props = { action: SnapshotAction; vm: string; snapshot: Snapshot | null }

export function SnapshotConfirmDialog({ action, vm, snapshot }: Props) {
  const close = useUi((s) => s.closeDialog)
  const lastSessionAt = useVms((s) => s.vms.find((v) => v.name === vm)?.lastSessionSnapshotAt ?? null)
  const running = useVms((s) => s.vms.find((v) => v.name === vm)?.state === 'running')
  const working = useTasks(useShallow((s) => orderTasks(Object.values(s.byId).filter((t) => t.vm === vm && t.state === 'running'))))
  // Restore and roll back stop a running VM and start it again; deleting a snapshot leaves the VM alone.
  const programs = useRunningPrograms(vm, running && action !== 'delete')
  // Deleting a snapshot leaves the VM's disk as it is: no work in it is at stake, so its git state is not checked (a
  // stopped VM's check would fail and turn the button into a red "Delete anyway" for nothing).
  const checked = useGitCheck(vm, action !== 'delete')
  // The engine's check again at the confirmation found more at risk, or changed work, than the report read here showed: it replaces it.
  const [refusal, setRefusal] = useState<{ newer: GitSafetyReport; changedRepos: string[] } | null>(null)
  // Any other refusal of the action, said here: a toast would sit under the sheet's backdrop.
  const [failure, setFailure] = useState<CalErrorData | null>(null)
  const newer = refusal?.newer ?? null
  const report = newer ?? checked.report
  const { error, checking } = checked
  const risky = newer !== null || checked.risky
  const [busy, setBusy] = useState(false)
  const waitFor = busy ? null : workingText(vm, working)
  const confirm = async () => {
    setBusy(true)
    setFailure(null)
    const checkedAt = report?.checkedAt
    const result =
      action === 'restore' && snapshot
        ? await restoreSnapshot(vm, snapshot.name, checkedAt)
        : action === 'delete' && snapshot
          ? await deleteSnapshot(vm, snapshot.name)
          : await rollbackVm(vm, checkedAt)
    setBusy(false)
    if ('started' in result) close()
    else if ('newer' in result) setRefusal(result)
    else {
      setFailure(result.error)
      // The list this sheet was opened from may be stale (a snapshot deleted by the cal command meanwhile).
      void loadSnapshots(vm)
    }
  }
  const title = action === 'rollback' ? `Roll back ${vm}?` : `${VERB[action]} snapshot "${snapshot?.name}"?`
  return (
    <Modal
      title={title}
      onClose={close}
      wide={risky}
      // Once confirmed, the engine checks again before it starts anything: a Cancel or Escape then would close the
      // sheet while the action still went ahead.
      busy={busy}
      testId="snapshot-confirm"
      footer={
        <ConfirmFooter
          onCancel={close}
          onConfirm={() => void confirm()}
          // Every action here throws something away for good: the snapshot, or what was written since it.
          destructive
          busy={busy}
          // A snapshot that is gone (deleted elsewhere meanwhile) cannot be restored or deleted again: only Cancel is left.
          disabled={checking || waitFor !== null || failure?.code === 'SNAPSHOT_NOT_FOUND'}
          label={risky ? `${VERB[action]} anyway` : VERB[action]}
          testId="confirm-action"
        />
      }
    >
      <p className="loss" data-testid="loss-text">
        {lossText(action, vm, snapshot, lastSessionAt, running)}
      </p>
      <RunningPrograms lines={programs} lead={`Still running in ${vm}:`} />
      {refusal && (
        <p className="callout callout-warning" role="alert" data-testid="report-changed">
          {changedText(vm, refusal.changedRepos)}
        </p>
      )}
      {failure && (
        <div className="callout callout-error" role="alert" data-testid="confirm-error">
          <strong>{action === 'rollback' ? `Could not roll back ${vm}.` : `Could not ${action} snapshot "${snapshot?.name}".`}</strong> {failure.message}
          {appHintOf(failure) && <div className="hint">{appHintOf(failure)}</div>}
        </div>
      )}
      {waitFor && (
        <p className="callout" role="status" data-testid="vm-working">
          {waitFor}
        </p>
      )}
      {action !== 'delete' && <SafetyReport report={report} error={newer ? null : error} vm={vm} />}
    </Modal>
  )
}
