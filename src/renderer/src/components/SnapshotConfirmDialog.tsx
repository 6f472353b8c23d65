import { useState } from 'react'
import type { GitSafetyReport } from '../../../shared/git'
import type { Snapshot } from '../../../shared/snapshot'
import { useGitCheck } from '../hooks/useGitCheck'
import { useRunningPrograms } from '../hooks/useRunningPrograms'
import { RunningPrograms } from './RunningPrograms'
import { relativeTime, usedGb } from '../format'
import { useVms } from '../store/vms'
import { useUi, type SnapshotAction } from '../store/ui'
import { deleteSnapshot, restoreSnapshot, rollbackVm } from '../actions'
import { ConfirmFooter, Modal } from './Modal'
import { SafetyReport } from './SafetyReport'

const VERB: Record<SnapshotAction, string> = { restore: 'Restore', delete: 'Delete', rollback: 'Roll back' }

/** What the user loses, in words, before a destructive snapshot command. */
export function lossText(action: SnapshotAction, vm: string, snapshot: Snapshot | null, lastSessionAt: string | null, running = false): string {
  if (action === 'delete' && snapshot) {
    return `Snapshot "${snapshot.name}" (${usedGb(snapshot.sizeGb)}) is deleted for good. ${vm} itself does not change.`
  }
  // The engine powers a running VM off for the swap and starts it again: every program in its terminals ends.
  const restart = running ? ` ${vm} is stopped and started again: every program running in it (an agent, a build) ends and its terminal tabs close.` : ''
  if (action === 'restore' && snapshot) {
    return `${vm}'s disk goes back to snapshot "${snapshot.name}" from ${relativeTime(snapshot.createdAt)}. Everything written to ${vm} since then is lost.${restart}`
  }
  return `${vm} goes back to the start of the last agent session (${relativeTime(lastSessionAt)}). Everything written to ${vm} since then is lost.${restart}`
}

type Props = { action: SnapshotAction; vm: string; snapshot: Snapshot | null }

export function SnapshotConfirmDialog({ action, vm, snapshot }: Props) {
  const close = useUi((s) => s.closeDialog)
  const lastSessionAt = useVms((s) => s.vms.find((v) => v.name === vm)?.lastSessionSnapshotAt ?? null)
  const running = useVms((s) => s.vms.find((v) => v.name === vm)?.state === 'running')
  // Restore and roll back stop a running VM and start it again; deleting a snapshot leaves the VM alone.
  const programs = useRunningPrograms(vm, running && action !== 'delete')
  // Deleting a snapshot leaves the VM's disk as it is: no work in it is at stake, so its git state is not checked (a
  // stopped VM's check would fail and turn the button into a red "Delete anyway" for nothing).
  const checked = useGitCheck(vm, action !== 'delete')
  // The engine's check again at the confirmation found more at risk, or changed work, than the report read here showed: it replaces it.
  const [newer, setNewer] = useState<GitSafetyReport | null>(null)
  const report = newer ?? checked.report
  const { error, checking } = checked
  const risky = newer !== null || checked.risky
  const [busy, setBusy] = useState(false)
  const confirm = async () => {
    setBusy(true)
    const checkedAt = report?.checkedAt
    const result =
      action === 'restore' && snapshot
        ? await restoreSnapshot(vm, snapshot.name, checkedAt)
        : action === 'delete' && snapshot
          ? await deleteSnapshot(vm, snapshot.name)
          : await rollbackVm(vm, checkedAt)
    setBusy(false)
    if (result === true) close()
    else if (result !== false) setNewer(result)
  }
  const title = action === 'rollback' ? `Roll back ${vm}?` : `${VERB[action]} snapshot "${snapshot?.name}"?`
  return (
    <Modal
      title={title}
      onClose={close}
      wide={risky}
      testId="snapshot-confirm"
      footer={
        <ConfirmFooter
          onCancel={close}
          onConfirm={() => void confirm()}
          destructive={risky}
          disabled={busy || checking}
          label={risky ? `${VERB[action]} anyway` : VERB[action]}
          testId="confirm-action"
        />
      }
    >
      <p className="loss" data-testid="loss-text">
        {lossText(action, vm, snapshot, lastSessionAt, running)}
      </p>
      <RunningPrograms lines={programs} lead={`Still running in ${vm}:`} />
      {newer && (
        <p className="callout callout-warning" role="alert" data-testid="report-changed">
          CAL checked {vm} again before going ahead: the work at risk grew or changed since the report you read, so nothing
          was changed. Read the report below again.
        </p>
      )}
      {action !== 'delete' && <SafetyReport report={report} error={newer ? null : error} vm={vm} />}
    </Modal>
  )
}
