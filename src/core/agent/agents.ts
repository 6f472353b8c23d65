import type { AgentId } from '../../shared/vm'

export interface AgentSpec {
  id: AgentId
  label: string
  /** The command typed into the agent's tmux session. */
  command: string
  /** A known problem the launch confirmation shows. */
  warning: string | null
  /**
   * A POSIX test, true when the agent has been signed in inside the VM (the seeds' checks: the files its sign-in
   * leaves), and where they are, for the confirmation to say what it looked at.
   */
  signedIn: { test: string; where: string }
}

export const AGENTS: Record<AgentId, AgentSpec> = {
  claude: {
    id: 'claude',
    label: 'Claude Code',
    command: 'claude',
    warning: null,
    signedIn: { test: '[ -d "$HOME/.claude" ] && [ -n "$(ls -A "$HOME/.claude")" ]', where: '~/.claude' },
  },
  opencode: {
    id: 'opencode',
    label: 'opencode',
    command: 'opencode',
    warning: null,
    signedIn: { test: '[ -f "$HOME/.opencode/config.json" ] || [ -f "$HOME/.config/opencode/config.json" ]', where: '~/.config/opencode/config.json' },
  },
  cursor: {
    id: 'cursor',
    label: 'Cursor CLI',
    command: 'agent',
    warning:
      "Cursor CLI's sign-in does not complete inside a VM: its browser login never reports back to the CLI. Prefer Claude Code or opencode, or sign in some other way first.",
    signedIn: { test: '[ -d "$HOME/.cursor/User/globalStorage" ] && [ -n "$(ls -A "$HOME/.cursor/User/globalStorage")" ]', where: '~/.cursor' },
  },
}
