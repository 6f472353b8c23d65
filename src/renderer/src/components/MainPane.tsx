import type { ReactNode } from 'react'
import { useApp } from '../store/app'
import { useActiveTab } from '../store/sessions'
import { useSettings } from '../store/settings'
import { useUi, type View } from '../store/ui'
import { useSelectedVm, useVms } from '../store/vms'
import { loadSnapshots } from '../actions'
import { EngineDown, NoVms, TartMissing } from './EmptyStates'
import { SettingsView } from './SettingsView'
import { SnapshotsView } from './SnapshotsView'
import { StatusBanner } from './StatusBanner'
import { TasksView } from './TasksView'
import { TerminalPane } from './TerminalPane'
import { VmOverview } from './VmOverview'

const VM_VIEWS: Array<[View, string]> = [
  ['workspace', 'Overview'],
  ['snapshots', 'Snapshots'],
  ['terminal', 'Terminal'],
]

const TITLES: Partial<Record<View, string>> = { settings: 'Settings', tasks: 'Activity' }

export function MainPane({ mod }: { mod: string }) {
  const status = useApp((s) => s.status)
  const loadError = useApp((s) => s.loadError)
  const view = useUi((s) => s.view)
  const vm = useSelectedVm()
  const hasVms = useVms((s) => s.vms.length > 0)
  const vmsLoaded = useVms((s) => s.loaded)
  const defaultAgent = useSettings((s) => s.view?.settings.defaultAgent ?? null)
  const global = view === 'settings' || view === 'tasks'
  // A Host tab runs on this Mac: the banner must not say the isolation covers it.
  const frontTab = useActiveTab(vm?.name ?? null)
  const onHost = view === 'terminal' && frontTab?.kind === 'host'

  let body: ReactNode
  if (loadError) body = <EngineDown error={loadError} />
  else if (!status) body = <div className="empty" role="status" aria-busy="true"><span className="spinner" aria-hidden="true" /> Connecting…</div>
  else if (view === 'settings') body = <SettingsView />
  else if (view === 'tasks') body = <TasksView />
  else if (!status.tartFound) body = <TartMissing status={status} />
  else if (!vmsLoaded) body = <div className="empty" role="status" aria-busy="true"><span className="spinner" aria-hidden="true" /> Loading workspaces…</div>
  else if (!hasVms || !vm) body = <NoVms />
  else if (view === 'snapshots') body = <SnapshotsView vm={vm} />
  else if (view === 'workspace') body = <VmOverview vm={vm} />
  else body = null

  const showVmChrome = !global && status?.tartFound && vm && !loadError
  const choose = (v: View) => {
    useUi.getState().setView(v)
    if (v === 'snapshots' && vm) void loadSnapshots(vm.name)
  }
  return (
    <main className="main" aria-label={global ? TITLES[view] : (vm?.name ?? 'CAL')}>
      <header className="main-header titlebar-drag">
        <h1 className="main-title">{global ? TITLES[view] : (vm?.name ?? 'CAL')}</h1>
        {showVmChrome && (
          <div className="segmented" role="tablist" aria-label="Workspace views">
            {VM_VIEWS.map(([v, label]) => (
              <button key={v} type="button" role="tab" aria-selected={view === v} className={view === v ? 'segment active' : 'segment'} onClick={() => choose(v)} data-testid={`view-${v}`}>
                {label}
              </button>
            ))}
          </div>
        )}
        <span className="toolbar-spacer" />
        <button type="button" className="button small palette-hint" onClick={() => useUi.getState().setPaletteOpen(true)} aria-label="Command palette" data-testid="open-palette">
          Actions… <kbd>{mod}K</kbd>
        </button>
      </header>
      {showVmChrome && <StatusBanner vm={vm} defaultAgent={defaultAgent} onHost={onHost} />}
      <div className="main-body">
        {body}
        <TerminalPane visible={Boolean(showVmChrome) && view === 'terminal'} />
      </div>
    </main>
  )
}
