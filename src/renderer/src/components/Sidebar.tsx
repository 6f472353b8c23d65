import { memo, useCallback, useEffect, useRef, type KeyboardEvent } from 'react'
import type { VmInfo } from '../../../shared/vm'
import { useVirtualizer } from '@tanstack/react-virtual'
import { useShallow } from 'zustand/react/shallow'
import { useApp } from '../store/app'
import { runningVms, useVms } from '../store/vms'
import { useSessions } from '../store/sessions'
import { useTasks } from '../store/tasks'
import { useUi } from '../store/ui'
import { loadSnapshots, openTerminal } from '../actions'
import { StateDot, stateLabel, useSuspending } from './StateDot'
import { Icon } from './icons'
import { DeletedLeftovers } from './DeletedLeftovers'
import { settingsKeyLabel } from '../hotkeys'

const ROW_HEIGHT = 44

/** Workspaces, virtualized so hundreds of VMs stay smooth; a listbox for the keyboard and screen readers. */
export function Sidebar({ mod }: { mod: string }) {
  const vms = useVms((s) => s.vms)
  const selected = useVms((s) => s.selected)
  const loaded = useVms((s) => s.loaded)
  const limit = useApp((s) => s.status?.macVmLimit ?? 2)
  const runningTasks = useTasks((s) => Object.values(s.byId).filter((t) => t.state === 'running').length)
  const view = useUi((s) => s.view)
  // VMs with a terminal that rang the bell out of sight (re-rendered only when that list changes).
  const ringing = useSessions(useShallow((s) => [...new Set(s.sessions.filter((x) => s.attention[x.id]).map((x) => x.vm))].sort()))
  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: vms.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  })
  const tartFound = useApp((s) => s.status?.tartFound ?? true)
  const unlisted = useVms((s) => s.unlisted)
  const running = runningVms(vms).length + unlisted.length
  const selectedIndex = vms.findIndex((v) => v.name === selected)

  // When the keyboard is on nothing (the page, where keys reach nothing) as the selection changes, at start or after
  // the workspace in view was deleted (its view went, and the focus with it): the list, now on the workspace selected,
  // takes it; with no workspace at all, New workspace does.
  const newButton = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    const now = document.activeElement
    if (now !== null && now !== document.body) return
    if (selected) scrollRef.current?.focus({ preventScroll: true })
    else if (loaded) newButton.current?.focus({ preventScroll: true })
  }, [selected, loaded])

  const choose = useCallback((index: number) => {
    const vm = useVms.getState().vms[index]
    if (!vm) return
    useVms.getState().select(vm.name)
    virtualizer.scrollToIndex(index)
    const ui = useUi.getState()
    if (ui.view === 'settings' || ui.view === 'tasks') ui.setView('workspace')
    if (ui.view === 'snapshots') void loadSnapshots(vm.name)
  }, [virtualizer])

  const onKeyDown = (e: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 }
    if (e.key in moves) {
      e.preventDefault()
      choose(Math.min(vms.length - 1, Math.max(0, selectedIndex + (moves[e.key] ?? 0))))
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault()
      choose(e.key === 'Home' ? 0 : vms.length - 1)
    }
  }

  return (
    <nav className="sidebar" aria-label="Sidebar">
      <div className="titlebar-drag" />
      <div className="sidebar-heading">
        <span id="workspaces-label">Workspaces</span>
        {/* No count until the list is in: "0/2 running" beside "Loading workspaces…" said something untrue. */}
        {loaded && (
          <span className={running >= limit ? 'run-count full' : 'run-count'} data-testid="running-count" title={runCountTitle(unlisted)}>
            {running}/{limit} running
          </span>
        )}
      </div>
      <div
        ref={scrollRef}
        // Settings and Activity are not a workspace's: its row stays selected (where the views go back to), unlit.
        className={view === 'settings' || view === 'tasks' ? 'vm-list away' : 'vm-list'}
        role="listbox"
        aria-labelledby="workspaces-label"
        tabIndex={0}
        aria-activedescendant={selected ? `vm-option-${selectedIndex}` : undefined}
        onKeyDown={onKeyDown}
        data-testid="vm-list"
      >
        {loaded && vms.length === 0 && <div className="sidebar-empty">No workspaces</div>}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const vm = vms[item.index]
            if (!vm) return null
            return (
              <VmRow
                key={vm.name}
                vm={vm}
                index={item.index}
                start={item.start}
                size={item.size}
                selected={vm.name === selected}
                ringing={ringing.includes(vm.name)}
                mod={mod}
                onChoose={choose}
              />
            )
          })}
        </div>
      </div>
      <DeletedLeftovers />
      <div className="sidebar-footer">
        <button
          type="button"
          className="sidebar-button"
          disabled={!tartFound}
          title={tartFound ? undefined : 'Install Tart first'}
          ref={newButton}
          onClick={() => useUi.getState().openDialog({ kind: 'create' })}
          data-testid="new-workspace"
        >
          <Icon name="plus" /> New workspace
        </button>
        <button type="button" className="sidebar-button" onClick={() => void openTerminal(null, 'host')}>
          <Icon name="terminal" /> Host terminal
        </button>
        <button
          type="button"
          className={view === 'tasks' ? 'sidebar-button active' : 'sidebar-button'}
          aria-current={view === 'tasks' ? 'page' : undefined}
          onClick={() => useUi.getState().setView('tasks')}
          data-testid="nav-tasks"
        >
          <Icon name="tasks" /> Activity
          {runningTasks > 0 && <span className="badge" aria-label={`${runningTasks} running`}>{runningTasks}</span>}
        </button>
        <button
          type="button"
          className={view === 'settings' ? 'sidebar-button active' : 'sidebar-button'}
          aria-current={view === 'settings' ? 'page' : undefined}
          onClick={() => useUi.getState().setView('settings')}
          title={`Settings (${settingsKeyLabel(mod)})`}
          aria-keyshortcuts={mod === '⌘' ? 'Meta+,' : 'Control+,'}
          data-testid="nav-settings"
        >
          <Icon name="gear" /> Settings
        </button>
      </div>
    </nav>
  )
}

/** The count's tooltip: it names the running VMs it counts that the list leaves out. */
export function runCountTitle(unlisted: string[]): string {
  if (unlisted.length === 0) return 'macOS VMs running, of the two Apple allows at once'
  const stop = unlisted.length === 1 ? `\`tart stop ${unlisted[0]}\` stops it` : '`tart stop NAME` stops one'
  const also = `, counting ${unlisted.join(', ')}: started outside CAL and not listed here (${stop})`
  return `macOS VMs running, of the two Apple allows at once${also}`
}

/** A row's second line: its state, then its role when it is not a plain workspace, then a running VM's address. */
export function vmRowSub(vm: Pick<VmInfo, 'state' | 'role' | 'ip'>, suspending = false): string {
  const address = vm.state !== 'running' ? '' : ` · ${vm.ip ?? 'no address'}`
  return `${stateLabel(vm.state, suspending)}${vm.role !== 'workspace' ? ` · ${vm.role}` : ''}${address}`
}

/**
 * A row's name for screen readers, said once: "cal-clean, Stopped, clean". Read from the row's content it was
 * "Stopped cal-clean Stopped · clean" (the dot's label, then the state line that says it again).
 */
export function vmRowLabel(vm: VmInfo, ringing: boolean, suspending = false): string {
  return [vm.name, vmRowSub(vm, suspending).replaceAll(' · ', ', '), ringing ? 'a terminal rang the bell' : ''].filter(Boolean).join(', ')
}

type RowProps = { vm: VmInfo; index: number; start: number; size: number; selected: boolean; ringing: boolean; mod: string; onChoose: (index: number) => void }

/** Memoized: scrolling re-renders only rows that come into view. */
const VmRow = memo(function VmRow({ vm, index, start, size, selected, ringing, mod, onChoose }: RowProps) {
  const suspending = useSuspending(vm.name)
  const sub = vmRowSub(vm, suspending)
  return (
    <div
      id={`vm-option-${index}`}
      role="option"
      aria-selected={selected}
      aria-label={vmRowLabel(vm, ringing, suspending)}
      className={selected ? 'vm-row selected' : 'vm-row'}
      style={{ height: size, transform: `translateY(${start}px)` }}
      onClick={() => onChoose(index)}
      data-testid="vm-row"
      data-vm={vm.name}
      data-attention={ringing ? 'yes' : 'no'}
    >
      <StateDot state={vm.state} label={stateLabel(vm.state, suspending)} decorative />
      <span className="vm-row-text">
        <span className="vm-row-name">{vm.name}</span>
        {/* A long line (an IPv6 address, a narrow sidebar) still ends in an ellipsis: the whole of it is in the tooltip. */}
        <span className="vm-row-sub" title={sub}>
          {sub}
        </span>
      </span>
      {ringing && (
        <span className="vm-row-bell" title="A terminal here rang the bell" aria-label="A terminal rang the bell">
          <Icon name="bell" size={12} />
        </span>
      )}
      {index < 9 && (
        <kbd className="vm-row-key" aria-hidden="true">
          {mod}
          {index + 1}
        </kbd>
      )}
    </div>
  )
})
