// How cal meets mistakes and interruptions: typo suggestions, --json on usage errors, --tart values, short option errors,
// Ctrl+C on work that cannot be cancelled, and the question before a snapshot is deleted.
import { describe, expect, it } from 'vitest'
import { CalError } from '../../src/shared/errors'
import type { Task } from '../../src/shared/task'
import { EngineEvents } from '../../src/core/events'
import { runCli, splitGlobals } from '../../src/cli/main'
import { closest } from '../../src/cli/suggest'
import { followTask } from '../../src/cli/task-runner'
import type { CliContext } from '../../src/cli/context'

type Handlers = Record<string, (input: never) => Promise<unknown>>

async function cal(args: string[], handlers: Handlers = {}, opts: { canAsk?: boolean; answer?: boolean } = {}) {
  let stdout = ''
  let stderr = ''
  const asked: string[] = []
  const code = await runCli(
    args,
    {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      isTTY: false,
      canAsk: opts.canAsk ?? false,
      confirm: async (q) => (asked.push(q), opts.answer ?? false),
    },
    async () => ({ handlers: handlers as never, events: new EngineEvents(), calHome: '/tmp' }),
  )
  return { code, stdout, stderr, asked }
}

const notFound = (vm: string) => new CalError('VM_NOT_FOUND', `The VM "${vm}" does not exist.`, 'Run `cal list` to see your VMs.', { vm })

describe('typos', () => {
  it('suggests the closest verb, VM and snapshot name', async () => {
    expect(closest('lsit', ['list', 'ls', 'start'])).toBe('list')
    expect(closest('zzz', ['list'])).toBeNull()
    const verb = await cal(['lsit'])
    expect(verb.code).toBe(2)
    expect(verb.stderr).toBe('error: Unknown command "lsit". Did you mean "list"?\nhint: Run `cal --help` for the list of commands.\n')

    const vms = { 'vms:list': async () => [{ name: 'dev' }, { name: 'cal-clean' }], 'vms:get': async ({ name }: { name: string }) => Promise.reject(notFound(name)) }
    const vm = await cal(['status', 'dve'], vms as never)
    expect(vm.code).toBe(3)
    expect(vm.stderr).toContain('error: The VM "dve" does not exist. Did you mean "dev"?')
    expect((await cal(['status', 'zzzzzz'], vms as never)).stderr).not.toContain('Did you mean')

    const snaps = {
      'snapshots:list': async () => [{ name: 'before-refactor' }],
      'snapshots:restore': async () => Promise.reject(new CalError('SNAPSHOT_NOT_FOUND', '"dev" has no snapshot named "before-refactr".', 'See its snapshots.', { vm: 'dev', snapshot: 'before-refactr' })),
    }
    const snap = await cal(['snapshot', 'restore', 'dev', 'before-refactr', '--yes'], snaps as never)
    expect(snap.code).toBe(3)
    expect(snap.stderr).toContain('Did you mean "before-refactor"?')
  })
})

describe('usage errors', () => {
  it('are JSON on stdout with --json, whatever the mistake', async () => {
    // A missing snapshot command, or no command at all, printed the usage on stderr and nothing on stdout.
    for (const args of [['--json', 'frobnicate'], ['--json', 'help', 'nosuch'], ['--json', '--tart'], ['--json', 'snapshot'], ['snapshot', '--json'], ['--json']]) {
      const r = await cal(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(JSON.parse(r.stdout), args.join(' ')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    }
    expect(JSON.parse((await cal(['--json', 'snapshot'])).stdout).error).toMatchObject({ message: 'Missing snapshot command: create, list, restore, delete.', hint: expect.stringMatching(/^Usage: cal snapshot /) })
  })

  it('without --json, a missing command or snapshot command still shows the whole usage on stderr', async () => {
    for (const [args, usage] of [[['snapshot'], /^Usage: cal snapshot create\|list\|restore\|delete NAME/], [[], /^cal — /]] as const) {
      const r = await cal([...args])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(usage)
    }
  })

  it('refuse an empty --tart, or a flag taken as its path', () => {
    expect(() => splitGlobals(['--tart=', 'list'])).toThrow(/--tart needs a path/)
    expect(() => splitGlobals(['--tart', '--json', 'list'])).toThrow(/--tart needs a path/)
    expect(splitGlobals(['--tart', '/x/tart', 'list'])).toMatchObject({ tartPath: '/x/tart' })
  })

  it('name an unknown option plainly', async () => {
    const r = await cal(['list', '--bogus'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('error: Unknown option --bogus.\nhint: Usage: cal list [--json]\n')
  })

  it('print the help on stderr when the command is missing, on stdout when asked for', async () => {
    const missing = await cal([])
    expect(missing.code).toBe(2)
    expect(missing.stdout).toBe('')
    expect(missing.stderr).toMatch(/^cal — /)
    const asked = await cal(['--help'])
    expect(asked.stdout).toMatch(/^cal — /)
    expect(asked.stdout).toContain('--no-snapshot')
    expect(asked.stdout).toContain('--version')
  })
})

describe('snapshot delete', () => {
  const handlers = (deleted: string[]) =>
    ({
      'snapshots:list': async () => [{ name: 'before', sizeGb: 3 }],
      'snapshots:delete': async ({ snapshot }: { snapshot: string }) => (deleted.push(snapshot), Promise.reject(new CalError('INTERNAL', 'stop here'))),
    }) as never

  it('asks first on a terminal, as the app does, and keeps the snapshot on no', async () => {
    const deleted: string[] = []
    const r = await cal(['snapshot', 'delete', 'dev', 'before'], handlers(deleted), { canAsk: true, answer: false })
    expect(r.asked).toEqual(['Delete snapshot "before"?'])
    expect(r.code).toBe(130)
    expect(deleted).toEqual([])
    expect(r.stderr).toContain('is deleted for good')
  })

  it('does not ask with --yes, on a terminal or not', async () => {
    for (const canAsk of [true, false]) {
      const deleted: string[] = []
      const r = await cal(['snapshot', 'delete', 'dev', 'before', '--yes'], handlers(deleted), { canAsk })
      expect(r.asked).toEqual([])
      expect(deleted).toEqual(['before'])
    }
  })

  it('refuses without a terminal and without --yes (exit 6), as it would have asked on one', async () => {
    // It deleted the snapshot without a word.
    const deleted: string[] = []
    const r = await cal(['snapshot', 'delete', 'dev', 'before'], handlers(deleted))
    expect(r.code).toBe(6)
    expect(deleted).toEqual([])
    expect(r.stderr).toBe('error: Deleting snapshot "before" of dev needs a confirmation: it is deleted for good (3 GB). dev itself does not change.\nhint: Pass --yes to delete it. Without a terminal, CAL only proceeds with --yes.\n')
    // One that is not there is not refused for want of --yes: the delete says it is not there.
    const missing = await cal(['snapshot', 'delete', 'dev', 'nosuch'], handlers(deleted))
    expect(missing.stderr).toContain('stop here')
    expect(deleted).toEqual(['nosuch'])
  })
})

describe('delete', () => {
  const handlers = (deleted: string[], snapshots: unknown = [{ name: 'keepme', sizeGb: 2.5 }, { name: 'keepme2', sizeGb: 1 }]) =>
    ({
      'snapshots:list': async () => (snapshots instanceof Error ? Promise.reject(snapshots) : snapshots),
      'git:check': async () => ({ clean: true }),
      'vms:delete': async ({ name }: { name: string }) => (deleted.push(name), Promise.reject(new CalError('INTERNAL', 'stop here'))),
    }) as never

  it('asks first on a terminal, naming the snapshots that go with the VM, and keeps it all on no', async () => {
    // It did not ask at all when the git check found nothing: the VM and its snapshots went without a word.
    const deleted: string[] = []
    const r = await cal(['delete', 'dev'], handlers(deleted), { canAsk: true, answer: false })
    expect(r.asked).toEqual(['Delete dev?'])
    expect(r.stderr).toContain('warning: dev is deleted for good, with its disk. Its 2 snapshots go with it: keepme, keepme2 (3.5 GB).')
    expect(r.stderr).toContain('dev was kept; nothing was changed.')
    expect(r.code).toBe(130)
    expect(deleted).toEqual([])
    const yes = await cal(['delete', 'dev'], handlers(deleted), { canAsk: true, answer: true })
    expect(yes.asked).toEqual(['Delete dev?'])
    expect(deleted).toEqual(['dev'])
  })

  it('refuses without a terminal and without --yes (exit 6), naming what would go', async () => {
    const deleted: string[] = []
    const r = await cal(['delete', 'dev'], handlers(deleted))
    expect(r.code).toBe(6)
    expect(deleted).toEqual([])
    expect(r.stderr).toContain('error: Deleting dev needs a confirmation: it is deleted for good, with its disk. Its 2 snapshots go with it: keepme, keepme2 (3.5 GB).\n')
    expect(r.stderr).toContain('hint: Pass --yes to delete dev. Without a terminal, CAL only proceeds with --yes.\n')
  })

  it('leaves a VM whose git check is not clean, or cannot run, to the engine, which refuses with its report', async () => {
    for (const check of [async () => ({ clean: false }), async () => Promise.reject(new CalError('VM_NOT_RUNNING', 'stopped'))]) {
      const deleted: string[] = []
      const r = await cal(['delete', 'dev'], { ...(handlers(deleted) as Handlers), 'git:check': check })
      expect(deleted).toEqual(['dev'])
      expect(r.stderr).toContain('stop here')
    }
  })

  it('does not ask with --yes, or about a VM that is not there (the delete says so, or finishes a cut-short one)', async () => {
    for (const [args, canAsk, snapshots] of [
      [['delete', 'dev', '--yes'], true, []],
      [['delete', 'dev', '--yes'], false, []],
      [['delete', 'gone'], true, notFound('gone')],
      [['delete', 'gone'], false, notFound('gone')],
    ] as const) {
      const deleted: string[] = []
      const r = await cal([...args], handlers(deleted, snapshots), { canAsk })
      expect(r.asked).toEqual([])
      expect(deleted).toEqual([args[1]])
    }
  })
})

describe('a destructive verb confirmed on a terminal', () => {
  it('names the report the yes was given to, and asks again about a newer one the engine found', async () => {
    const calls: unknown[] = []
    const risk = (checkedAt: string, line: string) => new CalError('GIT_RISK', `risk ${checkedAt}`, 'Commit first.', { report: { checkedAt, summary: [line] } })
    const answers = [risk('T1', '~/app (main): 1 unpushed commit'), risk('T2', '~/app (main): 2 unpushed commits'), new CalError('INTERNAL', 'stop here')]
    const handlers = { 'snapshots:rollback': async (input: unknown) => (calls.push(input), Promise.reject(answers.shift())) }
    const r = await cal(['rollback', 'dev'], handlers as never, { canAsk: true, answer: true })
    expect(calls).toEqual([
      { vm: 'dev', confirmed: false },
      { vm: 'dev', confirmed: true, checkedAt: 'T1' },
      { vm: 'dev', confirmed: true, checkedAt: 'T2' },
    ])
    expect(r.asked).toEqual(['Continue anyway?', 'Continue anyway?'])
    expect(r.stderr).toContain('2 unpushed commits')
  })
})

describe('snapshot --name, as the seeds write it (cal snapshot restore dev --name before-refactor)', () => {
  it('names the snapshot for create, restore and delete, like the second argument', async () => {
    const calls: Array<[string, unknown]> = []
    const stop = new CalError('INTERNAL', 'stop here')
    const handlers = {
      'snapshots:create': async (input: unknown) => (calls.push(['create', input]), Promise.reject(stop)),
      'snapshots:restore': async (input: unknown) => (calls.push(['restore', input]), Promise.reject(stop)),
      'snapshots:delete': async (input: unknown) => (calls.push(['delete', input]), Promise.reject(stop)),
    } as never
    for (const verb of ['create', 'restore', 'delete']) {
      const r = await cal(['snapshot', verb, 'dev', '--name', 'before-refactor', '--yes'], handlers)
      expect(r.stderr, verb).toContain('stop here')
    }
    expect(calls.map(([verb, input]) => [verb, (input as { vm: string; name?: string; snapshot?: string }).vm, (input as { name?: string }).name ?? (input as { snapshot?: string }).snapshot])).toEqual([
      ['create', 'dev', 'before-refactor'],
      ['restore', 'dev', 'before-refactor'],
      ['delete', 'dev', 'before-refactor'],
    ])
  })

  it('refuses two different names, and restore or delete without one', async () => {
    const two = await cal(['snapshot', 'restore', 'dev', 'a', '--name', 'b'])
    expect(two.code).toBe(2)
    expect(two.stderr).toContain('Two snapshot names')
    const none = await cal(['snapshot', 'delete', 'dev'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('which snapshot?')
    expect((await cal(['snapshot', 'delete', 'dev', '--name'])).code).toBe(2)
  })
})

describe('--agent, with the seeds\' names too', () => {
  it('create records the agent cal run and Launch start in the VM; claude-code and cursor-cli are accepted', async () => {
    const inputs: unknown[] = []
    const stop = new CalError('INTERNAL', 'stop here')
    const handlers = { 'vms:create': async (input: unknown) => (inputs.push(input), Promise.reject(stop)) } as never
    for (const agent of ['opencode', 'claude-code', 'cursor-cli']) await cal(['create', 'dev', '--agent', agent], handlers)
    expect(inputs.map((i) => (i as { agent?: string }).agent)).toEqual(['opencode', 'claude', 'cursor'])
    const bad = await cal(['create', 'dev', '--agent', 'vim'], handlers)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--agent must be claude, opencode or cursor (got "vim")')
    expect(inputs).toHaveLength(3)
  })
})

describe('disk-usage NAME', () => {
  const usage = { totalGb: 130, freeGb: 200, vms: [{ name: 'dev', sizeGb: 30, snapshotsGb: 20, snapshotCount: 2, leftoverGb: 0 }] }
  const snaps = [
    { name: 'before', vm: 'dev', tartName: 'dev.snap.before', kind: 'manual', createdAt: '2026-11-20T10:00:00.000Z', sizeGb: 12 },
    { name: 'session-1', vm: 'dev', tartName: 'dev.snap.session-1', kind: 'session', createdAt: '2026-11-21T09:30:00.000Z', sizeGb: 8 },
  ]
  const handlers = {
    'snapshots:diskUsage': async () => usage,
    'snapshots:list': async () => snaps,
    'vms:list': async () => [{ name: 'dev' }],
  } as never

  it("lists that VM and each of its snapshots, with the free space", async () => {
    const r = await cal(['disk-usage', 'dev'], handlers)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/dev\s+VM\s+30 GB/)
    expect(r.stdout).toMatch(/before\s+manual snapshot\s+2026-11-20 10:00\s+12 GB/)
    expect(r.stdout).toMatch(/session-1\s+session snapshot/)
    expect(r.stdout).toContain('dev: 50 GB with 2 snapshots, 200 GB free')
  })

  it('names a VM that does not exist, with a suggestion', async () => {
    const r = await cal(['disk-usage', 'dve'], handlers)
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('The VM "dve" does not exist. Did you mean "dev"?')
  })

  it('refuses a name no VM can have as a mistake in the name (exit 2), as the other verbs do', async () => {
    for (const name of ['a b', '$(id)', 'x;id']) {
      const r = await cal(['disk-usage', name], handlers)
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`"${name}" is not a valid VM name.`)
    }
  })
})

describe('status NAME', () => {
  const vm = { name: 'dev', state: 'stopped', role: 'workspace', os: 'darwin', cpu: 4, memoryMb: 8192, diskGb: 80, sizeGb: 20, display: '', ip: null, baseImage: null, agent: 'opencode', createdAt: null, startedAt: null, lastSessionSnapshotAt: null, error: null }
  const handlers = (workspaceAgents: Record<string, string>) =>
    ({
      'vms:get': async () => vm,
      'settings:get': async () => ({ settings: { defaultAgent: 'claude', workspaceAgents }, warning: null }),
      'snapshots:list': async () => [{ name: 'session-2' }, { name: 'before' }],
    }) as never

  it('says which agent Launch starts there (Settings, else the one chosen at create) and its snapshots', async () => {
    const chosen = await cal(['status', 'dev'], handlers({}))
    expect(chosen.stdout).toMatch(/^agent\s+opencode$/m)
    expect(chosen.stdout).toMatch(/^snapshots\s+2 \(newest: session-2\)$/m)
    expect((await cal(['status', 'dev'], handlers({ dev: 'cursor' }))).stdout).toMatch(/^agent\s+cursor$/m)
    // --json says the same: the agent Launch starts, and how many snapshots.
    const json = JSON.parse((await cal(['status', 'dev', '--json'], handlers({ dev: 'cursor' }))).stdout) as Record<string, unknown>
    expect(json).toMatchObject({ name: 'dev', launchAgent: 'cursor', snapshotCount: 2 })
  })
})

describe('Ctrl+C', () => {
  it('says when the engine refuses to cancel, instead of "cancelling…"', async () => {
    const events = new EngineEvents()
    let stderr = ''
    const task = (state: Task['state']): Task => ({
      id: 't1', kind: 'snapshot', title: 'Snapshot dev', vm: 'dev', state, percent: null, bytesDone: null, bytesTotal: null, etaSeconds: null,
      steps: [], log: [], cancellable: false, error: null, startedAt: '', endedAt: null,
    })
    const ctx = {
      events,
      stderr: (t: string) => void (stderr += t),
      stdout: () => {},
      isTTY: false,
      handlers: {
        'tasks:cancel': async () => Promise.reject(new CalError('INVALID_INPUT', '"Snapshot dev" cannot be cancelled safely once started.', 'Wait for it to finish.')),
      },
    } as unknown as CliContext
    const done = followTask(ctx, async () => {
      setTimeout(() => {
        process.emit('SIGINT')
        setTimeout(() => events.emit('tasks:updated', task('succeeded')), 20)
      }, 10)
      return { taskId: 't1' }
    })
    await expect(done).resolves.toMatchObject({ state: 'succeeded' })
    expect(stderr).toContain('not cancelled: "Snapshot dev" cannot be cancelled safely once started. Wait for it to finish.')
    expect(stderr).not.toContain('cancelling…')
  })

  it('Ctrl+C while the engine checks before it begins ends there, rather than with what the check found', async () => {
    let stderr = ''
    const ctx = { events: new EngineEvents(), stderr: (t: string) => void (stderr += t), stdout: () => {}, isTTY: false, handlers: {} } as unknown as CliContext
    const done = followTask(ctx, async () => {
      process.emit('SIGINT')
      await new Promise((r) => setTimeout(r, 20))
      throw new CalError('GIT_RISK', 'The delete would lose work in "dev".', 'Push it first.')
    })
    await expect(done).rejects.toMatchObject({ code: 'CANCELLED', message: 'Cancelled before it began; nothing was changed.' })
    expect(stderr.match(/cancelling…/g)).toHaveLength(1)
  })

  it('a second Ctrl+C while the task winds down asks nothing more and says "cancelling…" once', async () => {
    const events = new EngineEvents()
    let stderr = ''
    let asked = 0
    const ctx = {
      events,
      stderr: (t: string) => void (stderr += t),
      stdout: () => {},
      isTTY: false,
      handlers: { 'tasks:cancel': async () => void (asked += 1) },
    } as unknown as CliContext
    const cancelled: Task = {
      id: 't2', kind: 'start', title: 'Start dev', vm: 'dev', state: 'cancelled', percent: null, bytesDone: null, bytesTotal: null, etaSeconds: null,
      steps: [], log: [], cancellable: true, error: { code: 'CANCELLED', message: 'Start dev was cancelled.', hint: '' }, startedAt: '', endedAt: null,
    }
    const done = followTask(ctx, async () => {
      setTimeout(() => {
        process.emit('SIGINT')
        setTimeout(() => process.emit('SIGINT'), 10)
        setTimeout(() => events.emit('tasks:updated', cancelled), 30)
      }, 10)
      return { taskId: 't2' }
    })
    await expect(done).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(asked).toBe(1)
    expect(stderr.match(/cancelling…/g)).toHaveLength(1)
  })
})
