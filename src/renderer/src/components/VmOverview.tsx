import { useCallback, useEffect, useRef } from 'react'
import type { VmInfo } from '../../../shared/vm'
import { gb, memory, relativeTime, uptime, usedGb } from '../format'
import { useNow } from '../hooks/useNow'
import { orderTasks, useTasks } from '../store/tasks'
import { useUi } from '../store/ui'
import { useSettings } from '../store/settings'
import { useShallow } from 'zustand/react/shallow'
import { cancelTask, openScreenSharing, openTerminal, requestPower, requestSnapshot, startVm, suspendVm } from '../actions'
import { TaskProgress } from './TaskProgress'
import { AGENT_LABEL, withShownAgent } from './StatusBanner'
import { Icon, type IconName } from './icons'

type Action = { label: string; icon: IconName; run: () => void; enabled: boolean; primary?: boolean; iconOnly?: boolean; testId: string }

/**
 * What can be done to a VM in its current state. Pure, so the rules are testable. While a task works on
 * the VM (busy), only Stop stays available: starting or snapshotting mid-restore would fight the engine. What goes
 * through SSH (an agent, a terminal, Screen Sharing) needs the VM's address too: a VM running without one (its start
 * gave up waiting for it) offered them, and a launch then held the window for minutes before it failed.
 */
export function vmActions(vm: VmInfo, busy = false): Action[] {
  const s = vm.state
  const ui = useUi.getState
  const settled = !busy && s !== 'starting' && s !== 'stopping'
  const up = s === 'running' || s === 'starting' || s === 'stopping'
  const reachable = s === 'running' && vm.ip !== null
  return [
    up
      ? { label: 'Stop', icon: 'stop', run: () => void requestPower(vm.name, 'stop'), enabled: s !== 'stopping', testId: 'vm-stop' }
      : { label: 'Start', icon: 'play', run: () => void startVm(vm.name), enabled: !busy, primary: true, testId: 'vm-start' },
    { label: 'Restart', icon: 'restart', run: () => void requestPower(vm.name, 'restart'), enabled: settled && s === 'running', iconOnly: true, testId: 'vm-restart' },
    { label: 'Suspend', icon: 'pause', run: () => void suspendVm(vm.name), enabled: settled && s === 'running', iconOnly: true, testId: 'vm-suspend' },
    { label: 'Launch agent', icon: 'agent', run: () => ui().openDialog({ kind: 'launch', vm: vm.name }), enabled: settled && reachable, primary: true, testId: 'vm-launch' },
    { label: 'Open terminal', icon: 'terminal', run: () => void openTerminal(vm.name), enabled: reachable, testId: 'vm-terminal' },
    { label: 'Snapshot', icon: 'camera', run: () => void requestSnapshot(vm.name), enabled: settled, testId: 'vm-snapshot' },
    {
      label: 'Roll back',
      icon: 'rollback',
      run: () => ui().openDialog({ kind: 'snapshot-confirm', action: 'rollback', vm: vm.name, snapshot: null }),
      enabled: settled && vm.lastSessionSnapshotAt !== null,
      testId: 'vm-rollback',
    },
    { label: 'Screen Sharing', icon: 'screen', run: () => void openScreenSharing(vm.name), enabled: reachable, testId: 'vm-vnc' },
  ]
}

/** Toolbar groups, as in a native window toolbar: power, agent and terminal, snapshots, screen. */
const GROUPS: string[][] = [['vm-start', 'vm-stop', 'vm-restart', 'vm-suspend'], ['vm-launch', 'vm-terminal'], ['vm-snapshot', 'vm-rollback'], ['vm-vnc']]

function ActionButton({ a }: { a: Action }) {
  return (
    <button
      type="button"
      className={`button${a.primary && a.enabled ? ' primary' : ''}${a.iconOnly ? ' icon-only' : ''}`}
      disabled={!a.enabled}
      onClick={a.run}
      aria-label={a.iconOnly ? a.label : undefined}
      title={a.iconOnly ? a.label : undefined}
      data-testid={a.testId}
    >
      <Icon name={a.icon} />
      {!a.iconOnly && ` ${a.label}`}
    </button>
  )
}

/**
 * A toolbar keeps the keyboard: a button pressed from it that is then disabled (every action waits while a task runs)
 * or replaced (Start becomes Stop) takes the focus with it to the page's body, where keys reach nothing. Focus lost
 * that way goes to the button now in the pressed one's place (Stop for Start, Start for Stop, Snapshot again once the
 * snapshot is taken) as soon as that one can be pressed; until then the toolbar itself holds it (tabIndex -1), rather
 * than the first control of the page (the Overview tab) or another action that Enter would then run. Checked after
 * each render (the overview renders every second) and once the browser has moved the focus off a disabled button.
 * A click elsewhere on the page leaves its button as it was: that focus stays where it went.
 */
function useToolbarFocus(bar: React.RefObject<HTMLDivElement | null>): { onFocus: (e: React.FocusEvent) => void; onBlur: (e: React.FocusEvent) => void } {
  // The button the keyboard was on, and its place among the toolbar's buttons (every action is always shown).
  const last = useRef<{ button: HTMLButtonElement; slot: number } | null>(null)
  const settle = useCallback(() => {
    const kept = last.current
    const toolbar = bar.current
    if (!kept || !toolbar) return
    const now = document.activeElement
    const parked = now === toolbar
    if (!(now === null || now === document.body || now === kept.button || parked)) return
    if (now === kept.button && kept.button.isConnected && !kept.button.disabled) return
    const inPlace = toolbar.querySelectorAll('button')[kept.slot]
    if (inPlace && !inPlace.disabled) inPlace.focus()
    else if (!parked) toolbar.focus({ preventScroll: true })
  }, [bar])
  useEffect(settle)
  return {
    onFocus: (e) => {
      if (!(e.target instanceof HTMLButtonElement)) return
      const slot = Array.from(bar.current?.querySelectorAll('button') ?? []).indexOf(e.target)
      last.current = slot >= 0 ? { button: e.target, slot } : null
    },
    onBlur: (e) => {
      // Focus that went to another control or a sheet was not lost.
      if (e.relatedTarget !== null) last.current = null
      // The browser moves the focus off a button just disabled (a task started) after the render that disabled it.
      else requestAnimationFrame(settle)
    },
  }
}

export function VmOverview({ vm }: { vm: VmInfo }) {
  const now = useNow(1000)
  const defaultAgent = useSettings((s) => s.view?.settings.defaultAgent ?? null)
  const workspaceAgents = useSettings((s) => s.view?.settings.workspaceAgents)
  const agent = withShownAgent(vm, workspaceAgents).agent
  const vmTasks = useTasks(useShallow((s) => orderTasks(Object.values(s.byId).filter((t) => t.vm === vm.name))))
  const running = vmTasks.filter((t) => t.state === 'running')
  const recent = vmTasks.filter((t) => t.state !== 'running').slice(0, 3)
  const actions = vmActions(vm, running.length > 0)
  const bar = useRef<HTMLDivElement>(null)
  const keepFocus = useToolbarFocus(bar)
  const facts: Array<[string, string]> = [
    ['IP address', vm.ip ?? '—'],
    ['CPU', `${vm.cpu} cores`],
    ['Memory', memory(vm.memoryMb)],
    ['Disk', gb(vm.diskGb)],
    ['Size on disk', usedGb(vm.sizeGb)],
    ['Base image', vm.baseImage ?? '—'],
    // A VM started outside CAL (by `tart run` in a shell) has no start time CAL could know.
    ['Uptime', vm.state !== 'running' ? '—' : vm.startedAt ? uptime(vm.startedAt, now) : 'Started outside CAL'],
    // Which agent Default means, as the banner names it: "Default" alone left the user to look it up in Settings.
    ['Agent', agent ? AGENT_LABEL[agent] : defaultAgent ? `${AGENT_LABEL[defaultAgent]} (default)` : 'Default'],
    // A VM made outside CAL has no recorded creation time: unknown, not "never".
    ['Created', vm.createdAt ? relativeTime(vm.createdAt, now) : '—'],
    ['Last session snapshot', relativeTime(vm.lastSessionSnapshotAt, now)],
  ]
  return (
    <div className="pane-scroll">
      {/* tabIndex -1: the toolbar holds the keyboard while the button pressed is disabled (useToolbarFocus). */}
      <div className="toolbar" role="toolbar" aria-label={`Actions for ${vm.name}`} ref={bar} tabIndex={-1} {...keepFocus}>
        {GROUPS.map((ids) => (
          <div key={ids[0]} className="button-group" role="group">
            {actions
              .filter((a) => ids.includes(a.testId))
              .map((a) => (
                <ActionButton key={a.testId} a={a} />
              ))}
          </div>
        ))}

      </div>
      {/* Why Launch, Open terminal and Screen Sharing are off. Not during a start: it says itself that it waits. */}
      {vm.state === 'running' && vm.ip === null && running.length === 0 && (
        <div className="callout callout-warning" role="status" data-testid="no-address">
          <strong>{vm.name} has no network address.</strong> Tart gives none yet, so the terminal, the agent and Screen
          Sharing cannot reach it. A VM that just started gets one within a minute or two; if this one does not, restart it.
        </div>
      )}
      {vm.state === 'error' && vm.error && (
        <div className="callout callout-error" role="alert">
          <strong>{vm.name} is in an error state.</strong> {vm.error}
        </div>
      )}
      <section className="card" aria-labelledby="facts-title">
        <div className="card-head">
          <h3 id="facts-title" className="card-title">
            Details
          </h3>
          <button
            type="button"
            className="link-button destructive-text"
            onClick={() => useUi.getState().openDialog({ kind: 'delete-vm', vm: vm.name })}
            // A running VM can be deleted (CAL powers it off), and only a running one can be checked for unpushed work.
            disabled={vm.state === 'starting' || vm.state === 'stopping'}
            data-testid="vm-delete"
          >
            Delete workspace…
          </button>
        </div>
        <dl className="facts" data-testid="vm-facts">
          {facts.map(([k, v]) => (
            <div key={k} className="fact">
              <dt>{k}</dt>
              <dd title={v}>{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      {running.length > 0 && (
        <section className="card" aria-label="In progress">
          <h3 className="card-title">In progress</h3>
          {running.map((t) => (
            <TaskProgress key={t.id} task={t} onCancel={(id) => void cancelTask(id)} />
          ))}
        </section>
      )}
      {recent.length > 0 && (
        <section className="card" aria-label="Recent activity">
          <h3 className="card-title">Recent activity</h3>
          {recent.map((t) => (
            <TaskProgress key={t.id} task={t} compact />
          ))}
        </section>
      )}
    </div>
  )
}
