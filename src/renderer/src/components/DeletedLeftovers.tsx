import { useShallow } from 'zustand/react/shallow'
import { deleteVm } from '../actions'
import { usedGb } from '../format'
import { useSnapshots } from '../store/snapshots'
import { useUi } from '../store/ui'
import { Icon } from './icons'
import { ConfirmFooter, Modal } from './Modal'

const count = (n: number) => (n === 1 ? '1 snapshot' : `${n} snapshots`)

/**
 * Snapshots of a VM that is gone: a delete cut short after Tart deleted the VM itself (CAL quit, the Mac slept). They
 * belong to no workspace in the list, so without this they would take disk unseen; finishing the delete removes them.
 */
export function DeletedLeftovers() {
  const left = useSnapshots(useShallow((s) => (s.usage?.vms ?? []).filter((v) => v.deleted)))
  if (left.length === 0) return null
  return (
    <div className="sidebar-leftovers" data-testid="deleted-leftovers">
      {left.map((v) => (
        <div key={v.name} className="callout callout-warning" role="note">
          <Icon name="warning" size={12} /> {v.name} was deleted, but {count(v.snapshotCount)} of it ({usedGb(v.snapshotsGb)}){' '}
          {v.snapshotCount === 1 ? 'is' : 'are'} left.{' '}
          <button type="button" className="link-button" onClick={() => useUi.getState().openDialog({ kind: 'finish-delete', vm: v.name })}>
            Finish deleting…
          </button>
        </div>
      ))}
    </div>
  )
}

/** Asks before deleting what a cut-short delete left of `vm`: the VM is gone, so there is no git check to show. */
export function FinishDeleteDialog({ vm }: { vm: string }) {
  const close = useUi((s) => s.closeDialog)
  const left = useSnapshots((s) => s.usage?.vms.find((v) => v.name === vm && v.deleted))
  const n = left?.snapshotCount ?? 0
  const were = n === 1 ? 'its snapshot was' : n > 1 ? `its ${count(n)} were` : 'its snapshots were'
  return (
    <Modal
      title={`Finish deleting ${vm}?`}
      onClose={close}
      testId="finish-delete-dialog"
      footer={
        <ConfirmFooter
          onCancel={close}
          onConfirm={() => {
            close()
            void deleteVm(vm)
          }}
          label={n === 1 ? 'Delete snapshot' : 'Delete snapshots'}
        />
      }
    >
      <p>
        {vm} itself was deleted, but the delete did not finish before {were} (CAL quit, the Mac slept, or Tart could not
        delete one: a copy that runs must be stopped first).{' '}
        {left ? `${n === 1 ? 'It takes' : 'They take'} ${usedGb(left.snapshotsGb)} of disk. ` : ''}Finishing deletes {n === 1 ? 'it' : 'them'}. This cannot
        be undone.
      </p>
    </Modal>
  )
}
