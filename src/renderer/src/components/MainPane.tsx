import type { KeyboardEvent, ReactNode } from 'react'
import { useApp } from '../store/app'
import { tabsFor, useActiveTab, useSessions } from '../store/sessions'
import { useSettings } from '../store/settings'
import { useUi, type View } from '../store/ui'
import { useSelectedVm, useVms } from '../store/vms'
import { loadSnapshots } from '../actions'
import { tabKeyIndex } from '../tabKeys'
import { Creating, EngineDown, NoVms, TartMissing } from './EmptyStates'
import { SettingsView } from './SettingsView'
import { SnapshotsView } from './SnapshotsView'
import { HostBanner, StatusBanner, withShownAgent } from './StatusBanner'
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
  const linkDown = useApp((s) => s.linkDown)
  const view = useUi((s) => s.view)
  const vm = useSelectedVm()
  const hasVms = useVms((s) => s.vms.length > 0)
  // A workspace being created, selected before Tart lists it (see useVms' awaiting).
  const creating = useVms((s) => (s.awaiting !== null && s.awaiting === s.selected ? s.awaiting : null))
  const vmsLoaded = useVms((s) => s.loaded)
  const defaultAgent = useSettings((s) => s.view?.settings.defaultAgent ?? null)
  const workspaceAgents = useSettings((s) => s.view?.settings.workspaceAgents)
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
  else if (!vm && creating) body = <Creating name={creating} />
  else if (!hasVms || !vm) body = <NoVms />
  else if (view === 'snapshots') body = <SnapshotsView vm={vm} />
  else if (view === 'workspace') body = <VmOverview vm={vm} />
  else body = null

  const showVmChrome = !global && status?.tartFound && vm && !loadError
  // Host tabs need no VM: with none selected (no workspaces yet, or Tart missing, when a shell on the Mac is
  // where one installs it), the terminal view shows them on their own.
  const hostTabs = useSessions((s) => tabsFor(s.sessions, null).length)
  // Overview (the install help or "no workspaces") and Terminal (the Host tabs) then take turns.
  const hostMode = !showVmChrome && !global && !loadError && Boolean(status) && hostTabs > 0
  const hostOnly = hostMode && view === 'terminal'
  if (hostOnly) body = null
  const title = global ? TITLES[view] : hostOnly ? 'Host terminal' : (vm?.name ?? creating ?? 'CAL')
  const choose = (v: View) => {
    useUi.getState().setView(v)
    if (v === 'snapshots' && vm) void loadSnapshots(vm.name)
  }
  const showTabs = Boolean(showVmChrome || hostMode)
  const tabs = hostMode ? VM_VIEWS.filter(([v]) => v !== 'snapshots') : VM_VIEWS
  // Tabs as WAI-ARIA has them: one tab stop (the selected tab), arrows, Home and End move and select (a view switch is
  // cheap, so selection follows focus).
  const onTabKey = (e: KeyboardEvent, index: number) => {
    const next = tabKeyIndex(e.key, index, tabs.length)
    const target = next === null ? undefined : tabs[next]
    if (!target) return
    e.preventDefault()
    choose(target[0])
    document.getElementById(`view-tab-${target[0]}`)?.focus()
  }
  return (
    <main className="main" aria-label={title}>
      <header className="main-header titlebar-drag">
        <h1 className="main-title">{title}</h1>
        {showTabs && (
          <div className="segmented" role="tablist" aria-label="Workspace views">
            {tabs.map(([v, label], i) => (
              <button
                key={v}
                id={`view-tab-${v}`}
                type="button"
                role="tab"
                aria-selected={view === v}
                aria-controls="main-view"
                // The selected tab is the tab stop; with none selected (Settings, Activity in front), the first one is.
                tabIndex={view === v || (i === 0 && !tabs.some(([t]) => t === view)) ? 0 : -1}
                className={view === v ? 'segment active' : 'segment'}
                onClick={() => choose(v)}
                onKeyDown={(e) => onTabKey(e, i)}
                data-testid={`view-${v}`}
              >
                {label}
              </button>
            ))}
          </div>
        )}
        <span className="toolbar-spacer" />
        <button type="button" className="button small palette-hint" onClick={() => useUi.getState().setPaletteOpen(true)} aria-label="Command palette" title={`Command palette (${mod}K)`} data-testid="open-palette">
          Actions… <kbd>{mod}K</kbd>
        </button>
      </header>
      {linkDown && (
        <div className="banner banner-yellow" role="alert" data-testid="link-banner" style={{ whiteSpace: 'normal' }}>
          <span className="spinner" aria-hidden="true" />
          <strong>Lost the connection to CAL.</strong> Reconnecting… Until then, nothing you type or click reaches it. If CAL's browser host was restarted, open the new address it printed.
        </div>
      )}
      {showVmChrome && <StatusBanner vm={withShownAgent(vm, workspaceAgents)} defaultAgent={defaultAgent} onHost={onHost} />}
      {hostOnly && <HostBanner vm={null} />}
      {/* One panel for every view tab: what it shows changes with the selected tab. */}
      <div className="main-body" id="main-view" {...(showTabs && tabs.some(([t]) => t === view) ? { role: 'tabpanel', 'aria-labelledby': `view-tab-${view}` } : {})}>
        {body}
        <TerminalPane visible={(Boolean(showVmChrome) && view === 'terminal') || hostOnly} />
      </div>
    </main>
  )
}
