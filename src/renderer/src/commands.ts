/** Everything the command palette offers: one entry per action, built from the current state. */
import type { VmInfo } from '../../shared/vm'
import type { TerminalSession } from '../../shared/terminal'
import type { Settings } from '../../shared/settings'
import { vmActions } from './components/VmOverview'
import { clearScrollback, closeTerminal, forgetHostKey, loadSnapshots, openTerminal, retryTerminal, saveSettings } from './actions'
import { sessionLabelNow, useSessions } from './store/sessions'
import { tabTitle } from './store/tabNames'
import { useUi } from './store/ui'
import { useVms } from './store/vms'
import { settingsKeyLabel } from './hotkeys'

export type Command = { id: string; title: string; group: string; hint?: string; run: () => void }

/** `busy`: a task works on the selected VM, so only what the Overview's toolbar then allows is offered. */
type Input = { vms: VmInfo[]; selected: VmInfo | null; activeSession: TerminalSession | null; theme: Settings['theme']; mod: string; busy?: boolean }

export function buildCommands({ vms, selected, activeSession, theme, mod, busy = false }: Input): Command[] {
  const ui = useUi.getState
  const commands: Command[] = [
    { id: 'new-workspace', title: 'New workspace…', group: 'Workspaces', run: () => ui().openDialog({ kind: 'create' }) },
    { id: 'host-terminal', title: 'Open host terminal', group: 'Terminal', run: () => void openTerminal(null, 'host') },
    { id: 'activity', title: 'Show activity', group: 'Go to', run: () => ui().setView('tasks') },
    { id: 'settings', title: 'Open settings', group: 'Go to', hint: settingsKeyLabel(mod), run: () => ui().setView('settings') },
  ]
  if (selected) {
    const name = selected.name
    commands.push(
      { id: 'view-overview', title: `Show ${name} overview`, group: 'Go to', run: () => ui().setView('workspace') },
      { id: 'view-snapshots', title: `Show ${name} snapshots`, group: 'Go to', run: () => (ui().setView('snapshots'), void loadSnapshots(name)) },
      { id: 'view-terminal', title: `Show ${name} terminals`, group: 'Go to', run: () => ui().setView('terminal') },
    )
    for (const a of vmActions(selected, busy)) {
      if (a.enabled) commands.push({ id: `vm-${a.testId}`, title: a.testId === 'vm-vnc' ? `Open ${name} in Screen Sharing` : `${a.label} ${name}`, group: name, run: a.run })
    }
    // As the Overview's "Delete workspace…" (the sheet asks for the name and runs the git safety check first).
    if (selected.state !== 'starting' && selected.state !== 'stopping') {
      commands.push({ id: 'delete-vm', title: `Delete ${name}…`, group: name, run: () => ui().openDialog({ kind: 'delete-vm', vm: name }) })
    }
    commands.push({ id: 'forget-host-key', title: `Forget ${name}'s SSH host key`, group: name, run: () => void forgetHostKey(name) })
    if (selected.state === 'running') commands.push({ id: 'new-tab', title: `New shell tab in ${name}`, group: 'Terminal', hint: `${mod}T`, run: () => void openTerminal(name) })
  }
  if (activeSession) {
    const title = tabTitle(activeSession, useSessions.getState().names)
    commands.push({ id: 'close-tab', title: `Close tab "${title}"`, group: 'Terminal', hint: `${mod}W`, run: () => void closeTerminal(activeSession.id) })
    commands.push({
      id: 'rename-tab',
      title: 'Rename tab…',
      group: 'Terminal',
      run: () => {
        ui().setView('terminal')
        useSessions.getState().setRenaming(activeSession.id)
      },
    })
    if (activeSession.state === 'reconnecting') commands.push({ id: 'retry-now', title: 'Reconnect now', group: 'Terminal', run: () => void retryTerminal(activeSession.id) })
    commands.push({ id: 'clear-scrollback', title: 'Clear scrollback', group: 'Terminal', hint: mod === '⌘' ? '⌥⌘K' : undefined, run: () => void clearScrollback(activeSession.id) })
    const { vm, tmuxSession } = activeSession
    if (vm && tmuxSession) {
      commands.push({ id: 'end-session', title: `End session "${sessionLabelNow(vm, tmuxSession)}" in ${vm}…`, group: 'Terminal', run: () => ui().openDialog({ kind: 'end-session', vm, name: tmuxSession }) })
    }
  }
  vms.forEach((vm, i) => {
    commands.push({
      id: `switch-${vm.name}`,
      title: `Switch to ${vm.name}`,
      group: 'Workspaces',
      hint: i < 9 ? `${mod}${i + 1}` : undefined,
      run: () => {
        useVms.getState().select(vm.name)
        if (ui().view === 'settings' || ui().view === 'tasks') ui().setView('workspace')
      },
    })
  })
  const nextTheme = theme === 'dark' ? 'light' : 'dark'
  commands.push({ id: 'theme', title: `Use ${nextTheme} appearance`, group: 'Appearance', run: () => void saveSettings({ theme: nextTheme }) })
  if (theme !== 'system') commands.push({ id: 'theme-system', title: 'Follow system appearance', group: 'Appearance', run: () => void saveSettings({ theme: 'system' }) })
  return commands
}

/**
 * Best (earliest, tightest) first: the query as typed, else its letters in order where each one either follows the
 * one before it or starts a word ("ts" finds "Take snapshot", "sw be" "Switch to beta"). Letters picked from
 * anywhere ("snap" out of "uSe dark appeArance … aPpearance") matched nearly everything, and listed noise.
 */
export function filterCommands(commands: Command[], query: string): Command[] {
  const q = query.trim().toLowerCase()
  if (!q) return commands
  const scored: Array<[number, Command]> = []
  for (const c of commands) {
    const score = matchScore(`${c.title} ${c.group}`.toLowerCase(), q)
    if (score !== null) scored.push([score, c])
  }
  return scored.sort((a, b) => a[0] - b[0]).map(([, c]) => c)
}

function matchScore(text: string, q: string): number | null {
  const direct = text.indexOf(q)
  if (direct >= 0) return direct
  const letters = q.replace(/\s+/g, '')
  const gaps = wordMatch(text, letters, 0, -1)
  return gaps === null ? null : 100 + gaps
}

const startsWord = (text: string, i: number) => i === 0 || !/[\p{L}\p{N}]/u.test(text[i - 1]!)

/** The fewest skipped characters to match `q[qi..]` after position `prev`, each letter continuing or starting a word. */
function wordMatch(text: string, q: string, qi: number, prev: number): number | null {
  if (qi === q.length) return 0
  let best: number | null = null
  for (let i = text.indexOf(q[qi]!, prev + 1); i >= 0; i = text.indexOf(q[qi]!, i + 1)) {
    if (i !== prev + 1 && !startsWord(text, i)) continue
    const rest = wordMatch(text, q, qi + 1, i)
    if (rest !== null && (best === null || rest + i - prev - 1 < best)) best = rest + i - prev - 1
  }
  return best
}
