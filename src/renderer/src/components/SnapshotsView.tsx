import { memo, useRef, useState, type FormEvent } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import type { Snapshot } from '../../../shared/snapshot'
import type { VmInfo } from '../../../shared/vm'
import { gb, relativeTime, usedGb } from '../format'
import { useNow } from '../hooks/useNow'
import { useSnapshots, useVmSnapshots } from '../store/snapshots'
import { useUi } from '../store/ui'
import { createSnapshot } from '../actions'
import { snapshotNameError } from '../validate'
import { Icon } from './icons'

const ROW_HEIGHT = 36

export function SnapshotsView({ vm }: { vm: VmInfo }) {
  const snapshots = useVmSnapshots(vm.name)
  const usage = useSnapshots((s) => s.usage)
  const mine = usage?.vms.find((u) => u.name === vm.name)
  const ownGb = mine?.snapshotsGb ?? snapshots.reduce((sum, s) => sum + s.sizeGb, 0)
  return (
    <div className="pane-fill">
      <CreateSnapshotForm vm={vm} existing={snapshots} />
      <div className="usage" data-testid="disk-usage" aria-label="Disk usage">
        <span>
          <strong>{snapshots.length}</strong> {snapshots.length === 1 ? 'snapshot' : 'snapshots'} · {snapshots.length > 0 ? usedGb(ownGb) : gb(ownGb)}
        </span>
        {usage && (
          <span>
            All VMs {usage.vms.length > 0 ? usedGb(usage.totalGb) : gb(usage.totalGb)}
            {usage.freeGb !== null && <> · {gb(usage.freeGb)} free</>}
          </span>
        )}
        <span className="toolbar-spacer" />
        <button
          type="button"
          className="button"
          disabled={!vm.lastSessionSnapshotAt}
          title={vm.lastSessionSnapshotAt ? undefined : 'No session snapshot yet: one is taken when an agent session starts.'}
          onClick={() => useUi.getState().openDialog({ kind: 'snapshot-confirm', action: 'rollback', vm: vm.name, snapshot: null })}
          data-testid="rollback"
        >
          <Icon name="rollback" /> Roll back to session start
        </button>
      </div>
      {snapshots.length === 0 ? (
        <div className="empty small" data-testid="no-snapshots">
          <p>No snapshots of {vm.name} yet.</p>
          <p className="muted">A snapshot keeps the VM's whole disk, so you can return to it after an agent goes wrong.</p>
        </div>
      ) : (
        <SnapshotTable vm={vm.name} snapshots={snapshots} />
      )}
    </div>
  )
}

function CreateSnapshotForm({ vm, existing }: { vm: VmInfo; existing: Snapshot[] }) {
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const error = snapshotNameError(name, existing.map((s) => s.name))
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (error || busy) return
    setBusy(true)
    if (await createSnapshot(vm.name, name.trim() || undefined)) setName('')
    setBusy(false)
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Create a snapshot">
      <label htmlFor="snapshot-name" className="visually-hidden">
        Snapshot name
      </label>
      <input
        id="snapshot-name"
        className={error ? 'field invalid' : 'field'}
        placeholder="Snapshot name (optional)"
        value={name}
        onChange={(e) => setName(e.target.value)}
        aria-invalid={Boolean(error)}
        aria-describedby="snapshot-name-error"
        autoComplete="off"
        spellCheck={false}
        data-testid="snapshot-name"
      />
      <button type="submit" className="button primary" disabled={Boolean(error) || busy || vm.state === 'starting' || vm.state === 'stopping'} data-testid="snapshot-create">
        <Icon name="camera" /> Take snapshot
      </button>
      <span id="snapshot-name-error" className="field-error" role="status">
        {error}
      </span>
    </form>
  )
}

function SnapshotTable({ vm, snapshots }: { vm: string; snapshots: Snapshot[] }) {
  const now = useNow(30_000)
  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({ count: snapshots.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 })
  return (
    <div className="table" role="table" aria-label={`Snapshots of ${vm}`} aria-rowcount={snapshots.length + 1}>
      <div className="table-head" role="row">
        <span role="columnheader">Name</span>
        <span role="columnheader">Kind</span>
        <span role="columnheader">Created</span>
        <span role="columnheader" className="num">
          Size
        </span>
        <span role="columnheader">
          <span className="visually-hidden">Actions</span>
        </span>
      </div>
      <div ref={scrollRef} className="table-scroll" data-testid="snapshot-list">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="rowgroup">
          {virtualizer.getVirtualItems().map((item) => {
            const s = snapshots[item.index]
            if (!s) return null
            return <SnapshotRow key={s.name} snapshot={s} vm={vm} index={item.index} start={item.start} size={item.size} now={now} />
          })}
        </div>
      </div>
    </div>
  )
}

type RowProps = { snapshot: Snapshot; vm: string; index: number; start: number; size: number; now: number }

/** Memoized: while scrolling, rows already on screen keep their props and do not re-render. */
const SnapshotRow = memo(function SnapshotRow({ snapshot: s, vm, index, start, size, now }: RowProps) {
  const ask = (action: 'restore' | 'delete') => useUi.getState().openDialog({ kind: 'snapshot-confirm', action, vm, snapshot: s })
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      className="table-row"
      style={{ height: size, transform: `translateY(${start}px)` }}
      data-testid="snapshot-row"
      data-snapshot={s.name}
    >
      <span role="cell" className="cell-name" title={s.name}>
        {s.name}
      </span>
      <span role="cell">
        <span className={`pill pill-${s.kind}`}>{s.kind}</span>
      </span>
      <span role="cell" title={new Date(s.createdAt).toLocaleString()}>
        {relativeTime(s.createdAt, now)}
      </span>
      <span role="cell" className="num">
        {usedGb(s.sizeGb)}
      </span>
      <span role="cell" className="row-actions">
        <button type="button" className="button small" onClick={() => ask('restore')} aria-label={`Restore ${s.name}`} data-testid="snapshot-restore">
          Restore
        </button>
        <button type="button" className="button small icon-only" onClick={() => ask('delete')} aria-label={`Delete ${s.name}`} data-testid="snapshot-delete">
          <Icon name="trash" />
        </button>
      </span>
    </div>
  )
})
