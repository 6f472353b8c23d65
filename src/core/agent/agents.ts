import type { AgentId } from '../../shared/vm'

export interface AgentSpec {
  id: AgentId
  label: string
  /** The command typed into the agent's tmux session. */
  command: string
  /** A known problem the launch confirmation shows. */
  warning: string | null
}

export const AGENTS: Record<AgentId, AgentSpec> = {
  claude: { id: 'claude', label: 'Claude Code', command: 'claude', warning: null },
  opencode: { id: 'opencode', label: 'opencode', command: 'opencode', warning: null },
  cursor: {
    id: 'cursor',
    label: 'Cursor CLI',
    command: 'agent',
    warning:
      "Cursor CLI's sign-in does not complete inside a VM: its browser login never reports back to the CLI. Prefer Claude Code or opencode, or sign in some other way first.",
  },
}
