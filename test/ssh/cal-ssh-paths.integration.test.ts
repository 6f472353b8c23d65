import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { opensshArgs } from '../../src/cli/commands/ssh'
import { SshPool } from '../../src/core/ssh/pool'
import { createSimHost, type SimHost, type SimVm } from '../sim/harness'
import { tartResolver } from './helpers'

const VM = 'ssh-paths'
let sim: SimHost
let vm: SimVm
let root: string

describe.skipIf(process.getuid?.() !== 0)('cal ssh through OpenSSH', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cal-ssh-paths-'))
    sim = await createSimHost({ bootSeconds: 1 })
    vm = await sim.bootVm(VM)
  })

  afterAll(async () => {
    await sim?.cleanup()
    rmSync(root, { recursive: true, force: true })
  })

  it('trusts the pinned host key and uses CAL key when CAL_HOME has a space or a "%" in its path', async () => {
    const calHome = join(root, 'My CAL %h "home"')
    mkdirSync(calHome)
    const pool = new SshPool({ calHome, resolveTarget: tartResolver(sim), credentials: () => ({ user: 'admin', password: 'admin', unlockKeychain: false }) })
    try {
      // Pins the host key, installs CAL's key and writes known_hosts, as cal ssh does before it runs OpenSSH.
      await pool.connect(VM)
    } finally {
      await pool.dispose()
    }
    const argv = opensshArgs(calHome, 'admin', vm.ip, 22, 'echo reached-$((6*7))')
    const withoutTty = argv.filter((a) => a !== '-t')
    const r = await execa('ssh', ['-o', 'BatchMode=yes', ...withoutTty], { reject: false })
    expect(r.stderr).not.toMatch(/Host key verification failed|Permission denied/)
    expect(r.stdout.trim()).toBe('reached-42')
  })

  it("reaches a VM again after CAL's own key was deleted: the new key goes in with the password, to the pinned host", async () => {
    const calHome = mkdtempSync(join(root, 'key-'))
    const logs: string[] = []
    const connect = async () => {
      const pool = new SshPool({ calHome, resolveTarget: tartResolver(sim), credentials: () => ({ user: 'admin', password: 'admin', unlockKeychain: false }), log: (l) => logs.push(l) })
      try {
        return (await pool.exec(VM, 'echo reached')).stdout.trim()
      } finally {
        await pool.dispose()
      }
    }
    expect(await connect()).toBe('reached')
    rmSync(join(calHome, 'ssh', 'id_ed25519'))
    rmSync(join(calHome, 'ssh', 'id_ed25519.pub'))
    expect(await connect()).toBe('reached')
    expect(logs.filter((l) => l.includes("installed CAL's key after first contact with the password"))).toHaveLength(2)
    // And from then on, the new key alone.
    expect(await connect()).toBe('reached')
    expect(logs.filter((l) => l.includes('(publickey)'))).toHaveLength(1)
  })
})
