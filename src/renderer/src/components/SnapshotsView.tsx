import { memo, useEffect, useRef, useState, type FormEvent } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import type { DiskUsage, Snapshot } from '../../../shared/snapshot'
import type { Task } from '../../../shared/task'
import type { VmInfo } from '../../../shared/vm'
import { gb, relativeTime, usedGb } from '../format'
import { useNow } from '../hooks/useNow'
import { useShallow } from 'zustand/react/shallow'
import { useSnapshots, useVmSnapshots } from '../store/snapshots'
import { orderTasks, useTasks } from '../store/tasks'
import { useUi } from '../store/ui'
import { cancelTask, requestSnapshot } from '../actions'
import { snapshotNameError } from '../validate'
import { Icon } from './icons'
import { TaskProgress } from './TaskProgress'

const ROW_HEIGHT = 36

export function SnapshotsView({ vm }: { vm: VmInfo }) {
  const snapshots = useVmSnapshots(vm.name)
  const usage = useSnapshots((s) => s.usage)
  // While a task works on the VM (a snapshot being taken, a restore), its progress shows here, where it was started,
  // and the snapshot commands wait for it, as the Overview's toolbar does: a second one would fight the first.
  const working = useTasks(useShallow((s) => orderTasks(Object.values(s.byId).filter((t) => t.vm === vm.name && t.state === 'running'))))
  return <SnapshotsPanel vm={vm} snapshots={snapshots} usage={usage} working={working} />
}

/** The view from plain values, so what it shows for each case is testable. */
export function SnapshotsPanel({ vm, snapshots, usage, working }: { vm: VmInfo; snapshots: Snapshot[]; usage: DiskUsage | null; working: Task[] }) {
  const mine = usage?.vms.find((u) => u.name === vm.name)
  const ownGb = mine?.snapshotsGb ?? snapshots.reduce((sum, s) => sum + s.sizeGb, 0)
  const busy = working.length > 0
  return (
    <div className="pane-fill">
      {/* One form per VM: a name typed for one is not offered for the next one shown. */}
      <CreateSnapshotForm key={vm.name} vm={vm} existing={snapshots} busy={busy} />
      {working.map((t) => (
        <TaskProgress key={t.id} task={t} onCancel={(id) => void cancelTask(id)} compact />
      ))}
      <div className="usage" data-testid="disk-usage" aria-label="Disk usage">
        <span>
          <strong>{snapshots.length}</strong> {snapshots.length === 1 ? 'snapshot' : 'snapshots'} · {snapshots.length > 0 ? usedGb(ownGb) : gb(ownGb)}
        </span>
        {mine && mine.leftoverGb > 0 && (
          <span className="muted" data-testid="restore-leftover" title={`${vm.name}'s next restore removes it.`}>
            + {usedGb(mine.leftoverGb)} left by a restore
          </span>
        )}
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
          disabled={!vm.lastSessionSnapshotAt || busy}
          title={busy ? BUSY_TITLE : vm.lastSessionSnapshotAt ? undefined : 'No session snapshot yet: one is taken when an agent session starts.'}
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
        <SnapshotTable vm={vm.name} snapshots={snapshots} busy={busy} />
      )}
    </div>
  )
}

const BUSY_TITLE = 'Wait until the work in progress on this VM has finished.'

function CreateSnapshotForm({ vm, existing, busy: vmBusy }: { vm: VmInfo; existing: Snapshot[]; busy: boolean }) {
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  // The name of the snapshot under way, cleared from the field meanwhile: it comes back if that snapshot fails or is
  // cancelled (the field still empty), so a retry needs no retyping.
  const [taking, setTaking] = useState<{ taskId: string; name: string } | null>(null)
  const ended = useTasks((s) => {
    const task = taking ? s.byId[taking.taskId] : undefined
    return task && task.state !== 'running' ? task.state : null
  })
  useEffect(() => {
    if (!taking || !ended) return
    if (ended !== 'succeeded') setName((now) => now || taking.name)
    setTaking(null)
  }, [taking, ended])
  const input = useRef<HTMLInputElement>(null)
  const error = snapshotNameError(name, existing.map((s) => s.name))
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (error || busy) return
    // Take snapshot is disabled while the snapshot is taken, which drops its focus to <body>, where keys reach nothing:
    // the keyboard waits in the name field instead, ready for the next one.
    if (e.currentTarget instanceof HTMLFormElement && e.currentTarget.contains(document.activeElement)) input.current?.focus()
    setBusy(true)
    const wanted = name.trim()
    const taskId = await requestSnapshot(vm.name, wanted || undefined)
    if (taskId) {
      setName('')
      if (wanted) setTaking({ taskId, name: wanted })
    }
    setBusy(false)
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Create a snapshot">
      <label htmlFor="snapshot-name" className="visually-hidden">
        Snapshot name
      </label>
      <input
        ref={input}
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
      <button type="submit" className="button primary" disabled={Boolean(error) || busy || vmBusy || vm.state === 'starting' || vm.state === 'stopping'}
        title={vmBusy ? BUSY_TITLE : undefined}
        data-testid="snapshot-create"
      >
        <Icon name="camera" /> Take snapshot
      </button>
      <span id="snapshot-name-error" className="field-error" role="status">
        {error}
      </span>
    </form>
  )
}

function SnapshotTable({ vm, snapshots, busy }: { vm: string; snapshots: Snapshot[]; busy: boolean }) {
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
            return <SnapshotRow key={s.name} snapshot={s} vm={vm} index={item.index} start={item.start} size={item.size} now={now} busy={busy} />
          })}
        </div>
      </div>
    </div>
  )
}

type RowProps = { snapshot: Snapshot; vm: string; index: number; start: number; size: number; now: number; busy: boolean }

/** Memoized: while scrolling, rows already on screen keep their props and do not re-render. */
const SnapshotRow = memo(function SnapshotRow({ snapshot: s, vm, index, start, size, now, busy }: RowProps) {
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
        <button type="button" className="button small" onClick={() => ask('restore')} disabled={busy} title={busy ? BUSY_TITLE : undefined} aria-label={`Restore ${s.name}`} data-testid="snapshot-restore">
          Restore
        </button>
        <button type="button" className="button small icon-only" onClick={() => ask('delete')} disabled={busy} title={busy ? BUSY_TITLE : undefined} aria-label={`Delete ${s.name}`} data-testid="snapshot-delete">
          <Icon name="trash" />
        </button>
      </span>
    </div>
  )
})
