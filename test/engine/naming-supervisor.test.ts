// VM names CAL keeps for itself, and how CAL recognises its own `tart run` behind a recorded PID (real processes).
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateName } from '../../src/core/vms/naming'
import { isTartRunArgs, RunSupervisor, signalProcess } from '../../src/core/vms/supervisor'
import { FactsStore, type RunRecord } from '../../src/core/store/facts'
import { TartDriver } from '../../src/core/tart/driver'
import { hostCanSuspend } from '../../src/core/vms/lifecycle'

describe('validateName', () => {
  it('reserves the parts of CAL\'s own Tart names', () => {
    const cases: Array<[string, string]> = [['dev.snap.x', '.snap.'], ['dev.restore-tmp', '.restore-tmp'], ['dev.restore-old', '.restore-old'], ['a.restore-old.b', '.restore-old']]
    for (const [name, part] of cases) {
      expect(() => validateName(name, 'VM name')).toThrow(expect.objectContaining({ code: 'NAME_INVALID', message: expect.stringContaining(`containing "${part}"`) }))
    }
  })

  it('keeps a new snapshot from making a Tart name that reads as restore scratch, or two dots in a row', () => {
    // "dev.snap.restore-old" was taken for a workspace a restore had parked, and renamed to "dev.snap".
    for (const [name, reason] of <Array<[string, string]>>[['restore-old', 'starting with "restore-old"'], ['restore-tmp', 'starting with "restore-tmp"'], ['a..b', 'two dots in a row']]) {
      expect(() => validateName(name, 'snapshot name', 'snapshot')).toThrow(expect.objectContaining({ code: 'NAME_INVALID', message: `"${name}" is not a valid snapshot name: ${reason.startsWith('two') ? 'a name cannot contain two dots in a row' : `CAL keeps snapshot names ${reason} for its own snapshot and restore copies`}.` }))
    }
    // Snapshots made before keep working: restore and delete take their names as they are.
    expect(validateName('restore-old', 'snapshot name')).toBe('restore-old')
    expect(validateName('before.restore', 'snapshot name', 'snapshot')).toBe('before.restore')
    expect(validateName('snap.x', 'snapshot name', 'snapshot')).toBe('snap.x')
  })

  it('still accepts ordinary names, dots included', () => {
    for (const name of ['dev', 'cal-clean', 'my.vm', 'dev.snap', 'snap.dev', 'restore-old']) expect(validateName(name)).toBe(name)
  })
})

describe('isTartRunArgs', () => {
  it('is tart with `run` as its subcommand and the VM name right after it (as CAL runs it) or last', () => {
    expect(isTartRunArgs('/opt/homebrew/bin/tart run dev --no-graphics --suspendable', 'dev')).toBe(true)
    expect(isTartRunArgs('/opt/homebrew/bin/tart run --no-graphics --suspendable dev', 'dev')).toBe(true)
    expect(isTartRunArgs('python3 /repo/test/sim/bin/tart run --no-graphics --dir=cal-output:/Users/me/cal-output/dev dev', 'dev')).toBe(true)
    expect(isTartRunArgs('/usr/local/bin/tart-beta run dev', 'dev', '/usr/local/bin/tart-beta')).toBe(true)
  })

  it('is not another program, another verb, or another VM', () => {
    expect(isTartRunArgs('npm run dev', 'dev')).toBe(false)
    expect(isTartRunArgs('sh -c sleep 30 run dev', 'dev')).toBe(false)
    expect(isTartRunArgs('/opt/homebrew/bin/tart stop dev', 'dev')).toBe(false)
    expect(isTartRunArgs('/opt/homebrew/bin/tart run --no-graphics dev-2', 'dev')).toBe(false)
    expect(isTartRunArgs('/opt/homebrew/bin/tart run dev-2 --no-graphics', 'dev')).toBe(false)
    expect(isTartRunArgs('/opt/homebrew/bin/tart run', 'run')).toBe(false)
  })
})

describe('RunSupervisor.isOurRun against live processes', () => {
  let dir: string
  let supervisor: RunSupervisor
  const record = (pid: number): RunRecord => ({ pid, startedAt: new Date().toISOString(), suspendable: true, logPath: join(dir, 'x.log'), ip: null, stopRequested: false })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cal-ourrun-'))
    supervisor = new RunSupervisor(new TartDriver({ tartPath: 'tart' }), new FactsStore(dir))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses a reused PID whose arguments merely contain "run" and the VM name', async () => {
    const other = execa(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', 'run', 'dev'], { reject: false })
    try {
      expect(await supervisor.isOurRun(record(other.pid!), 'dev')).toBe(false)
    } finally {
      other.kill()
      await other
    }
  })

  it('accepts a process that is `tart run … NAME`', async () => {
    const fake = join(dir, 'tart')
    await writeFile(fake, `#!${process.execPath}\nsetTimeout(() => {}, 30000)\n`, { mode: 0o755 })
    const run = execa(fake, ['run', '--no-graphics', 'dev'], { reject: false })
    try {
      expect(await supervisor.isOurRun(record(run.pid!), 'dev')).toBe(true)
      expect(await supervisor.isOurRun(record(run.pid!), 'other')).toBe(false)
    } finally {
      run.kill()
      await run
    }
  })
})

describe('signalProcess', () => {
  it('reports a process that has already gone instead of throwing ESRCH', async () => {
    const gone = execa('true')
    const pid = gone.pid!
    await gone
    expect(signalProcess(pid, 'SIGUSR2')).toBe(false)
  })
})

describe('hostCanSuspend', () => {
  it('needs macOS 14 (Darwin 23) on a Mac; the simulated host elsewhere behaves like it', () => {
    expect(hostCanSuspend('darwin', '22.6.0')).toBe(false)
    expect(hostCanSuspend('darwin', '23.0.0')).toBe(true)
    expect(hostCanSuspend('darwin', '25.1.0')).toBe(true)
    expect(hostCanSuspend('linux', '6.1.0')).toBe(true)
  })
})
