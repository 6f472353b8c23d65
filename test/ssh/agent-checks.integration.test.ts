import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultSettings } from '../../src/shared/settings'
import type { VmInfo } from '../../src/shared/vm'
import { agentHandlers, agentInstalled } from '../../src/core/agent/handlers'
import { SshPool } from '../../src/core/ssh/pool'
import { createTerminalService, type TerminalService } from '../../src/core/terminal/handlers'
import { createSimHost, type SimHost } from '../sim/harness'
import { EventLog, tartResolver } from './helpers'

const VM = 'agent-checks'
let sim: SimHost
let calHome: string
let pool: SshPool
let terminals: TerminalService
const exec: Parameters<typeof agentInstalled>[0] = (v, c, o) => pool.exec(v, c, o)

beforeAll(async () => {
  calHome = mkdtempSync(join(tmpdir(), 'cal-agent-checks-'))
  sim = await createSimHost()
  await sim.bootVm(VM)
  pool = new SshPool({ calHome, resolveTarget: tartResolver(sim), credentials: () => ({ user: 'admin', password: 'admin', unlockKeychain: false }) })
  terminals = createTerminalService({ pool, emit: new EventLog().emit, calHome })
})

afterAll(async () => {
  await terminals?.dispose()
  await pool?.dispose()
  await sim?.cleanup()
  rmSync(calHome, { recursive: true, force: true })
})

/** An executable shell script at `rel` in the guest's home. */
async function tool(rel: string): Promise<void> {
  const path = join(sim.guestHome(VM), rel)
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(path, '#!/bin/sh\necho hi\n')
  await chmod(path, 0o755)
}

describe('is the agent installed in the VM', () => {
  it('finds it on the PATH, where the seeds install agents, and on a login shell PATH; not a folder of that name', async () => {
    // The simulator's stand-ins are on the SSH command's PATH, as Homebrew's are in a macOS VM.
    expect(await agentInstalled(exec, VM, 'claude')).toBe(true)
    expect(await agentInstalled(exec, VM, 'cal-no-such-agent')).toBe(false)
    // Cursor's installer puts `agent` in ~/.local/bin, which only ~/.zshrc adds to PATH.
    await tool('.local/bin/cal-cursor-like')
    expect(await agentInstalled(exec, VM, 'cal-cursor-like')).toBe(true)
    // A folder of that name is not a program.
    await mkdir(join(sim.guestHome(VM), '.local/bin/cal-folder'), { recursive: true })
    expect(await agentInstalled(exec, VM, 'cal-folder')).toBe(false)
    // Elsewhere, on a PATH only the user's login shell sets.
    await tool('tools/bin/cal-login-only')
    expect(await agentInstalled(exec, VM, 'cal-login-only')).toBe(false)
    const profile = join(sim.guestHome(VM), '.bash_profile')
    const had = await readFile(profile, 'utf8').catch(() => null)
    await writeFile(profile, `${had ?? ''}\nPATH="$HOME/tools/bin:$PATH"\n`)
    try {
      expect(await agentInstalled(exec, VM, 'cal-login-only')).toBe(true)
    } finally {
      if (had === null) await rm(profile)
      else await writeFile(profile, had)
    }
    // A name with shell syntax in it is only ever a name.
    expect(await agentInstalled(exec, VM, 'x; touch ~/pwned')).toBe(false)
    await expect(readFile(join(sim.guestHome(VM), 'pwned'))).rejects.toThrow()
  })

  it('says so in the launch facts, and names an agent already at work instead', async () => {
    const info = { name: VM, state: 'running', ip: '127.0.64.1' } as VmInfo
    const snapshots: string[] = []
    const agent = agentHandlers({
      terminals,
      vmState: async () => info,
      takeSessionSnapshot: async (vm) => void snapshots.push(vm),
      settings: () => ({ ...defaultSettings(), workspaceAgents: { [VM]: 'opencode' } }),
      lastSessionSnapshotAt: async () => null,
      exec,
    })
    expect(await agent['agent:launchInfo']({ name: VM })).toMatchObject({ command: 'opencode', installed: true, running: null })
    const s = await agent['agent:launch']({ vm: VM, backupFirst: false, cols: 80, rows: 24 })
    expect(snapshots).toEqual([VM])
    // Once the agent runs in its session, the facts say so (Launch then only shows it).
    let facts = await agent['agent:launchInfo']({ name: VM })
    for (let i = 0; i < 50 && facts.running === null; i++) {
      await new Promise((r) => setTimeout(r, 100))
      facts = await agent['agent:launchInfo']({ name: VM })
    }
    expect(facts.running).not.toBeNull()
    // Shown again: the open terminal keeps the size its window gave it, not the launch's estimate.
    const clients = async () => (await pool.exec(VM, "tmux list-clients -t '=cal-agent' -F '#{client_width}x#{client_height}'")).stdout.trim()
    expect(await clients()).toBe('80x24')
    const again = await agent['agent:launch']({ vm: VM, backupFirst: false, cols: 132, rows: 50 })
    expect(again.id).toBe(s.id)
    expect(again).toMatchObject({ cols: 80, rows: 24 })
    expect(await clients()).toBe('80x24')
    expect(snapshots).toEqual([VM])
    await terminals.endSession(VM, s.tmuxSession!)
  })
})
