import type { CommandHandlers } from '../../shared/api'
import { CalError } from '../../shared/errors'
import { workspaceAgent, type Settings } from '../../shared/settings'
import type { LaunchInfo } from '../../shared/terminal'
import type { AgentId, VmInfo } from '../../shared/vm'
import { snapshotShutsDown } from '../../shared/power-question'
import type { RemoteExec } from '../ssh/exec'
import { shellJoin } from '../ssh/quote'
import type { TerminalService } from '../terminal/service'
import { AGENTS } from './agents'

export { AGENTS, type AgentSpec } from './agents'

export interface AgentDeps {
  terminals: TerminalService
  vmState: (vm: string) => Promise<VmInfo>
  /** What CAL is doing to the VM right now (a snapshot, a stop…), if anything: the launch waits for nobody. */
  busyWith?: (vm: string) => string | null
  takeSessionSnapshot: (vm: string) => Promise<unknown>
  settings: () => Settings
  lastSessionSnapshotAt: (vm: string) => Promise<string | null>
  exec: RemoteExec
}

/** The workspace's agent: the one requested, a per-VM override, the one chosen when the VM was created, else the default. */
export function agentFor(settings: Settings, vm: string, requested?: AgentId, chosenAtCreate: AgentId | null = null): AgentId {
  return workspaceAgent(settings, vm, chosenAtCreate, requested)
}

/**
 * One exec that finds the first git repository under ~/workspace (else ~) and prints its origin and branch.
 * Output: three lines — directory, origin URL (maybe empty), branch.
 */
export const FIND_REPO_SCRIPT = [
  'for d in "$HOME"/workspace/*/ "$HOME"/workspace/ "$HOME"/*/; do',
  'if [ -e "$d.git" ]; then',
  'printf "%s\\n" "${d%/}";',
  'git -C "$d" config --get remote.origin.url || echo;',
  'git -C "$d" symbolic-ref --short -q HEAD || git -C "$d" rev-parse --short HEAD 2>/dev/null || echo;',
  'exit 0;',
  'fi;',
  'done',
].join(' ')

/**
 * "git@github.com:owner/repo.git" or "https://host/owner/repo(.git)" → "owner/repo"; else the folder's name. Only
 * the URL's path is read: a user name, password or port in it never reaches the window.
 */
export function repositoryName(dir: string, origin: string): string {
  const o = origin.trim()
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(o)
    ? URL.canParse(o)
      ? new URL(o).pathname
      : ''
    : (/^[^/:]+:(.*)$/.exec(o)?.[1] ?? '') // scp-like: [user@]host:path
  const parts = path.replace(/\/+$/, '').replace(/\.git$/, '').split('/').filter(Boolean)
  if (parts.length >= 2) return parts.slice(-2).join('/')
  return dir.split('/').filter(Boolean).pop() ?? dir
}

async function findRepository(exec: RemoteExec, vm: string): Promise<{ dir: string | null; repository: string | null; branch: string | null }> {
  try {
    const r = await exec(vm, FIND_REPO_SCRIPT, { timeoutMs: 10_000 })
    const [dir, origin = '', branch = ''] = r.stdout.split('\n')
    if (r.code !== 0 || !dir) return { dir: null, repository: null, branch: null }
    return { dir, repository: repositoryName(dir, origin), branch: branch.trim() || null }
  } catch {
    // Launch information is a convenience: an unreachable VM only means "unknown".
    return { dir: null, repository: null, branch: null }
  }
}

/** The seeds' sign-in check in the VM: true or false, or null when the VM could not be asked. */
async function isSignedIn(exec: RemoteExec, vm: string, test: string): Promise<boolean | null> {
  try {
    const r = await exec(vm, shellJoin(['sh', '-c', test]), { timeoutMs: 10_000 })
    return r.code === 0 ? true : r.code === 1 ? false : null
  } catch {
    return null
  }
}

/**
 * Where the seeds install the agents (Cursor's ~/.local/bin, opencode's ~/.opencode/bin, go install's ~/go/bin,
 * Homebrew and npm's /opt/homebrew/bin), then the SSH command's PATH, then a POSIX login shell's: the agent is typed
 * into an interactive shell whose PATH (set in ~/.zshrc, say) no single check can know, so this is a hint only.
 * Exit 0: found; 1: not found.
 */
export const AGENT_INSTALLED_SCRIPT = [
  'c=$1',
  'for d in "$HOME/.local/bin" "$HOME/.opencode/bin" "$HOME/go/bin" /opt/homebrew/bin /usr/local/bin; do [ -f "$d/$c" ] && [ -x "$d/$c" ] && exit 0; done',
  'command -v "$c" >/dev/null 2>&1 && exit 0',
  'case "${SHELL##*/}" in sh|bash|zsh|dash|ksh) "$SHELL" -l -c \'command -v "$1"\' sh "$c" </dev/null >/dev/null 2>&1 && exit 0 ;; esac',
  'exit 1',
].join('\n')

/** Whether `command` is installed in the VM (see AGENT_INSTALLED_SCRIPT), or null when the VM could not be asked. */
export async function agentInstalled(exec: RemoteExec, vm: string, command: string): Promise<boolean | null> {
  try {
    const r = await exec(vm, shellJoin(['sh', '-c', AGENT_INSTALLED_SCRIPT, 'sh', command]), { timeoutMs: 10_000 })
    return r.code === 0 ? true : r.code === 1 ? false : null
  } catch {
    return null
  }
}

/** The agent's tmux session with a program working in it (the agent), or null (none, or a shell at its prompt). */
async function runningAgent(terminals: TerminalService, vm: string): Promise<string | null> {
  const sessions = await terminals.sessions(vm).catch(() => [])
  return sessions.find((s) => s.kind === 'agent' && s.command !== null)?.command ?? null
}

export function agentHandlers(deps: AgentDeps): Pick<CommandHandlers, 'agent:launchInfo' | 'agent:launch'> {
  return {
    'agent:launchInfo': async ({ name, agent }): Promise<LaunchInfo> => {
      const settings = deps.settings()
      const info = await deps.vmState(name)
      const spec = AGENTS[agentFor(settings, name, agent, info.agent)]
      // Asked over SSH: not of a VM without an address, which each question would wait on in vain.
      const running = info.state === 'running' && info.ip !== null
      const [repo, lastBackupAt, signedIn, installed, agentRunning] = await Promise.all([
        running ? findRepository(deps.exec, name) : Promise.resolve({ dir: null, repository: null, branch: null }),
        deps.lastSessionSnapshotAt(name),
        running ? isSignedIn(deps.exec, name, spec.signedIn.test) : Promise.resolve(null),
        running ? agentInstalled(deps.exec, name, spec.command) : Promise.resolve(null),
        running ? runningAgent(deps.terminals, name) : Promise.resolve(null),
      ])
      return {
        vm: name,
        vmState: info.state,
        agent: spec.id,
        agentLabel: spec.label,
        isolated: true,
        repository: repo.repository,
        branch: repo.branch,
        lastBackupAt,
        autoSnapshot: settings.snapshots.autoAtSessionStart,
        warning: spec.warning,
        signedIn,
        signInPath: spec.signedIn.where,
        command: spec.command,
        installed,
        running: agentRunning,
        snapshotShutsDown: snapshotShutsDown(info),
      }
    },
    'agent:launch': async (input) => {
      const settings = deps.settings()
      const info = await deps.vmState(input.vm)
      if (info.state !== 'running') {
        const now = info.state === 'error' ? 'in an error state' : info.state
        const first = info.state === 'suspended' ? 'Resume it (start it) first' : info.state === 'starting' ? 'Wait until it runs' : 'Start it first'
        throw new CalError('VM_NOT_RUNNING', `The VM "${input.vm}" is ${now}, so its agent cannot start.`, `${first}, then launch the agent.`, { vm: input.vm, state: info.state })
      }
      // Nothing reaches a VM without an address: refused before the session snapshot pauses it for nothing.
      if (!info.ip) {
        throw new CalError(
          'VM_NOT_RUNNING',
          `The VM "${input.vm}" has no network address, so its agent cannot start.`,
          { cli: `A VM that just started gets one within a minute or two (\`cal list\` shows it); if none comes, restart it with \`cal restart ${input.vm}\`.`, app: 'A VM that just started gets one within a minute or two; if none comes, restart it.' },
          { vm: input.vm, state: info.state },
        )
      }
      const busy = deps.busyWith?.(input.vm)
      if (busy) {
        throw new CalError('VM_BUSY', `CAL is busy with "${input.vm}" (${busy}), so its agent cannot start yet.`, 'Launch the agent again once that has finished (Activity shows its progress).', { vm: input.vm })
      }
      const spec = AGENTS[agentFor(settings, input.vm, input.agent, info.agent)]
      // An agent already at work in the VM is shown, not started again: no second session snapshot (which would pause
      // or restart the VM under it, and rotate out the snapshot from before it started).
      if (await runningAgent(deps.terminals, input.vm)) return deps.terminals.launchAgent(input.vm, { command: spec.command, cols: input.cols, rows: input.rows })
      // The snapshot comes first so "roll back to session start" really returns to before the agent ran.
      if (!input.skipSnapshot && (input.backupFirst || settings.snapshots.autoAtSessionStart)) await deps.takeSessionSnapshot(input.vm)
      // A new agent session starts in the repository the launch dialog named.
      const { dir } = await findRepository(deps.exec, input.vm)
      return deps.terminals.launchAgent(input.vm, { command: spec.command, cols: input.cols, rows: input.rows, dir })
    },
  }
}
