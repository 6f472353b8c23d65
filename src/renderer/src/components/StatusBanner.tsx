import type { AgentId } from '../../../shared/vm'
import type { VmInfo } from '../../../shared/vm'
import { Icon } from './icons'
import { stateLabel, useSuspending } from './StateDot'

export const AGENT_LABEL: Record<AgentId, string> = { claude: 'Claude Code', opencode: 'opencode', cursor: 'Cursor CLI' }

type Tone = 'green' | 'yellow' | 'red' | 'grey' | 'blue' | 'host'

/** The seeds' banner: green when running and isolated, yellow in transition, red on error. */
export function bannerFor(vm: Pick<VmInfo, 'state' | 'ip'>, suspending = false): { tone: Tone; headline: string; mode: string } {
  switch (vm.state) {
    case 'running':
      // Without an address nothing reaches the VM (no terminal, no agent): green would say all is well.
      if (!vm.ip) return { tone: 'yellow', headline: 'RUNNING, NO ADDRESS', mode: 'Safe Mode' }
      return { tone: 'green', headline: 'ISOLATION ACTIVE', mode: 'Safe Mode' }
    case 'starting':
      return { tone: 'yellow', headline: 'STARTING', mode: 'Safe Mode' }
    case 'stopping':
      return { tone: 'yellow', headline: stateLabel(vm.state, suspending).toUpperCase(), mode: 'Safe Mode' }
    case 'error':
      return { tone: 'red', headline: 'VM ERROR', mode: 'Safe Mode' }
    case 'suspended':
      return { tone: 'blue', headline: 'SUSPENDED', mode: 'Safe Mode' }
    default:
      return { tone: 'grey', headline: 'VM STOPPED', mode: 'Safe Mode' }
  }
}

/**
 * The VM with `agent` set to the one its Launch starts unless the default applies (Settings → Workspaces first, then
 * the agent chosen at create; see workspaceAgent), so the banner and overview never name another agent than Launch runs.
 */
export function withShownAgent<T extends Pick<VmInfo, 'name' | 'agent'>>(vm: T, workspaceAgents: Record<string, AgentId> | undefined): T {
  const override = workspaceAgents && Object.hasOwn(workspaceAgents, vm.name) ? workspaceAgents[vm.name] : undefined
  return override && override !== vm.agent ? { ...vm, agent: override } : vm
}

export function envLabel(vm: Pick<VmInfo, 'os' | 'agent'>, defaultAgent: AgentId | null): string {
  const parts = [vm.os === 'darwin' ? 'macOS' : 'Linux']
  const agent = vm.agent ?? defaultAgent
  if (agent) parts.push(AGENT_LABEL[agent])
  return parts.join(', ')
}

/** Over a Host tab: what is typed there runs on this Mac, outside every VM (never the green "ISOLATION ACTIVE"). */
export function HostBanner({ vm }: { vm: Pick<VmInfo, 'name' | 'state'> | null }) {
  return (
    <div className="banner banner-host" role="status" aria-live="polite" data-testid="status-banner" data-state={vm?.state ?? 'host'} data-tone="host">
      <Icon name="warning" size={13} />
      <strong>HOST SHELL, NOT ISOLATED</strong>
      <span className="banner-sep" aria-hidden="true">│</span>
      <span>Commands in this tab run on this Mac{vm ? `, outside ${vm.name}` : ''}</span>
    </div>
  )
}

/** The selected VM's banner; with a Host tab in front, the HostBanner instead. */
export function StatusBanner({ vm, defaultAgent, onHost = false }: { vm: VmInfo; defaultAgent: AgentId | null; onHost?: boolean }) {
  const suspending = useSuspending(vm.name)
  if (onHost) return <HostBanner vm={vm} />
  const { tone, headline, mode } = bannerFor(vm, suspending)
  return (
    <div className={`banner banner-${tone}`} role="status" aria-live="polite" data-testid="status-banner" data-state={vm.state} data-tone={tone}>
      <Icon name={tone === 'red' ? 'warning' : 'lock'} size={13} />
      <strong>{headline}</strong>
      <span className="banner-sep" aria-hidden="true">│</span>
      <span>VM: {vm.name}</span>
      <span className="banner-sep" aria-hidden="true">│</span>
      <span>Env: {envLabel(vm, defaultAgent)}</span>
      <span className="banner-sep" aria-hidden="true">│</span>
      <span>{mode}</span>
    </div>
  )
}
