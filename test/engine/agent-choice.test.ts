import { describe, expect, it } from 'vitest'
import { defaultSettings, type Settings } from '../../src/shared/settings'
import type { AgentId, VmInfo } from '../../src/shared/vm'
import { agentHandlers, type AgentDeps } from '../../src/core/agent/handlers'
import type { TerminalService } from '../../src/core/terminal/service'

function vm(name: string, agent: AgentId | null, state: VmInfo['state'] = 'running'): VmInfo {
  return {
    name, state, role: 'workspace', os: 'darwin', cpu: 4, memoryMb: 8192, diskGb: 80, sizeGb: 1, display: '', ip: '127.0.64.9',
    baseImage: null, agent, createdAt: null, startedAt: null, suspendable: false, lastSessionSnapshotAt: null, error: null,
  }
}

/** Agent handlers over a fake VM: records the command Launch types into the agent's session. */
function handlers(info: VmInfo, settings: Settings) {
  const typed: string[] = []
  const terminals = {
    sessions: async () => [],
    launchAgent: async (_vm: string, opts: { command: string }) => {
      typed.push(opts.command)
      return { id: 't1', vm: info.name, kind: 'agent', tmuxSession: 'cal-agent' }
    },
  } as unknown as TerminalService
  const deps: AgentDeps = {
    terminals,
    vmState: async () => info,
    takeSessionSnapshot: async () => {},
    settings: () => settings,
    lastSessionSnapshotAt: async () => null,
    exec: async () => ({ code: 1, stdout: '', stderr: '' }),
  }
  return { h: agentHandlers(deps), typed }
}

describe('the agent chosen when the VM was created', () => {
  it('is the one Launch names and starts (as the banner and overview name it: see components.test.tsx)', async () => {
    const { h, typed } = handlers(vm('ws', 'opencode'), defaultSettings())
    expect((await h['agent:launchInfo']({ name: 'ws' })).agent).toBe('opencode')
    await h['agent:launch']({ vm: 'ws', backupFirst: false, skipSnapshot: true, cols: 80, rows: 24 })
    expect(typed).toEqual(['opencode'])
  })

  it('gives way to Settings → Workspaces and to an agent asked for now; with none, the default applies', async () => {
    const s = { ...defaultSettings(), workspaceAgents: { ws: 'cursor' as const } }
    expect((await handlers(vm('ws', 'opencode'), s).h['agent:launchInfo']({ name: 'ws' })).agent).toBe('cursor')
    expect((await handlers(vm('ws', 'opencode'), s).h['agent:launchInfo']({ name: 'ws', agent: 'claude' })).agent).toBe('claude')
    expect((await handlers(vm('other', null), s).h['agent:launchInfo']({ name: 'other' })).agent).toBe('claude')
  })
})
