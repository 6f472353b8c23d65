// What cal says about the VM around start, restart and ssh: the state a cancelled start left it in, a restart that only
// starts, and cal ssh refusing at once without a terminal.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CalError } from '../../src/shared/errors'
import type { Task } from '../../src/shared/task'
import type { VmInfo } from '../../src/shared/vm'
import { EngineEvents } from '../../src/core/events'
import { runCli } from '../../src/cli/main'

type Handlers = Record<string, (input: never) => Promise<unknown>>

async function cal(args: string[], handlers: (events: EngineEvents) => Handlers) {
  let stdout = ''
  let stderr = ''
  const events = new EngineEvents()
  const code = await runCli(
    args,
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, canAsk: false },
    async () => ({ handlers: handlers(events) as never, events, calHome: '/tmp' }),
  )
  return { code, stdout, stderr }
}

const vm = (state: VmInfo['state'], ip: string | null = null) => ({ name: 'dev', state, ip }) as VmInfo

/** A task that has already ended when the handler answers (followTask picks it up from the events). */
function endedTask(events: EngineEvents, kind: string, title: string, state: Task['state'], error: Task['error'] = null): { taskId: string } {
  const task: Task = {
    id: 't1', kind, title, vm: 'dev', state, percent: null, bytesDone: null, bytesTotal: null, etaSeconds: null,
    steps: [], log: [], cancellable: true, error, startedAt: '', endedAt: '',
  } as Task
  events.emit('tasks:updated', task)
  return { taskId: 't1' }
}

describe('a cancelled cal start', () => {
  const cancelledStart = (after: VmInfo | Error) => (events: EngineEvents) => ({
    'vms:start': async () => endedTask(events, 'start', 'Start dev', 'cancelled', { code: 'CANCELLED', message: 'Start dev was cancelled.', hint: '' }),
    'vms:get': async () => (after instanceof Error ? Promise.reject(after) : after),
  })

  it('says the VM was left stopped', async () => {
    const r = await cal(['start', 'dev'], cancelledStart(vm('stopped')))
    expect(r.code).toBe(130)
    expect(r.stderr).toBe('Start dev was cancelled; dev was left stopped.\nhint: Start it with `cal start dev`.\n')
  })

  it('says the VM still runs, and where, when it could not be stopped', async () => {
    const r = await cal(['start', 'dev'], cancelledStart(vm('running', '192.168.64.5')))
    expect(r.code).toBe(130)
    expect(r.stderr).toContain('Start dev was cancelled; dev is running at 192.168.64.5.\n')
    expect(r.stderr).toContain('cal stop dev')
  })

  it('says when the state cannot be read', async () => {
    const r = await cal(['start', 'dev'], cancelledStart(new Error('tart is gone')))
    expect(r.code).toBe(130)
    expect(r.stderr).toContain('CAL could not read the state of dev')
    expect(r.stderr).toContain('cal status dev')
  })
})

describe('cal restart of a stopped VM', () => {
  it('says it starts it, and that it started', async () => {
    let state: VmInfo['state'] = 'stopped'
    const r = await cal(['restart', 'dev'], (events) => ({
      'vms:get': async () => vm(state, state === 'running' ? '192.168.64.5' : null),
      'vms:restart': async () => ((state = 'running'), endedTask(events, 'restart', 'Restart dev', 'succeeded')),
    }))
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('dev was stopped; starting it.\n')
    expect(r.stdout).toBe('dev started; running at 192.168.64.5.\n')
  })

  it('is documented in its help and in cal --help', async () => {
    expect((await cal(['restart', '--help'], () => ({}))).stdout).toContain('A stopped VM is just started')
    expect((await cal(['--help'], () => ({}))).stdout).toMatch(/restart NAME .*a stopped VM just starts/)
  })

  it('of a running VM still says restarted', async () => {
    const r = await cal(['restart', 'dev'], (events) => ({
      'vms:get': async () => vm('running', '192.168.64.5'),
      'vms:restart': async () => endedTask(events, 'restart', 'Restart dev', 'succeeded'),
    }))
    expect(r.stderr).not.toContain('was stopped')
    expect(r.stdout).toBe('dev restarted; running at 192.168.64.5.\n')
  })
})

describe('a VM already in the state asked for', () => {
  // As the engine refuses (lifecycle.ts): the state it found is in the details.
  const failedTask = (events: EngineEvents, kind: string, err: CalError) => endedTask(events, kind, `${kind} dev`, 'failed', err.toData())
  const engine = (state: VmInfo['state'], ip: string | null, kind: string, err: CalError) => (events: EngineEvents) => ({
    'vms:get': async () => vm(state, ip),
    [`vms:${kind}`]: async () => failedTask(events, kind, err),
  })
  const stopped = new CalError('VM_NOT_RUNNING', 'The VM "dev" is already stopped.', 'Nothing was done.', { vm: 'dev', state: 'stopped' })
  const running = new CalError('VM_ALREADY_RUNNING', 'The VM "dev" is already running.', 'Connect with cal ssh dev.', { vm: 'dev', state: 'running' })
  const suspended = new CalError('VM_NOT_RUNNING', 'The VM "dev" is not running (it is already suspended).', 'Start it.', { vm: 'dev', state: 'suspended' })

  it('cal stop of a stopped VM says so and exits 0, so scripts need no || true', async () => {
    const r = await cal(['stop', 'dev'], engine('stopped', null, 'stop', stopped))
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('dev is already stopped.\n')
    expect(r.stderr).not.toContain('error:')
    const json = await cal(['stop', 'dev', '--json'], engine('stopped', null, 'stop', stopped))
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, task: null, unchanged: true, vm: { name: 'dev', state: 'stopped' } })
  })

  it('cal start of a running VM and cal suspend of a suspended one do the same', async () => {
    const start = await cal(['start', 'dev'], engine('running', '192.168.64.5', 'start', running))
    expect(start).toMatchObject({ code: 0, stdout: 'dev is already running at 192.168.64.5.\n' })
    // Left running by a start that timed out waiting for an address: not just "running".
    const noIp = await cal(['start', 'dev'], engine('running', null, 'start', running))
    expect(noIp).toMatchObject({ code: 0, stdout: 'dev is already running, but has no IP address yet: it may still be booting. If it gets none, `cal restart` it.\n' })
    const suspend = await cal(['suspend', 'dev'], engine('suspended', null, 'suspend', suspended))
    expect(suspend).toMatchObject({ code: 0, stdout: 'dev is already suspended. Resume it with `cal start dev`.\n' })
  })

  it('other refusals stay errors: a stop of a suspended VM (its state would be lost), a suspend of a stopped one', async () => {
    const wouldDiscard = new CalError('VM_NOT_RUNNING', 'The VM "dev" is suspended; stopping it would discard its saved memory state.', 'Resume it.', { vm: 'dev' })
    expect((await cal(['stop', 'dev'], engine('suspended', null, 'stop', wouldDiscard))).code).toBe(4)
    const notRunning = new CalError('VM_NOT_RUNNING', 'The VM "dev" is not running.', 'Start it.', { vm: 'dev', state: 'stopped' })
    expect((await cal(['suspend', 'dev'], engine('stopped', null, 'suspend', notRunning))).code).toBe(4)
  })
})

describe('cal ssh without a terminal', () => {
  const saved = { stdin: process.stdin.isTTY, stdout: process.stdout.isTTY }
  afterEach(() => {
    process.stdin.isTTY = saved.stdin
    process.stdout.isTTY = saved.stdout
  })

  it('fails at once, before connecting, and says how to run one command', async () => {
    process.stdin.isTTY = false as never
    process.stdout.isTTY = true
    const asked: string[] = []
    const handlers = () => ({ 'vms:get': async ({ name }: { name: string }) => (asked.push(name), vm('stopped')) }) as unknown as Handlers
    const attach = await cal(['ssh', 'dev'], handlers)
    expect(attach.code).toBe(2)
    expect(attach.stderr).toContain('error: cal ssh dev needs a terminal')
    expect(attach.stderr).toContain('hint: To run one command: `cal ssh dev -- COMMAND`.')
    const tty = await cal(['ssh', 'dev', '-t', '--', 'htop'], handlers)
    expect(tty.code).toBe(2)
    expect(tty.stderr).toContain('cal ssh -t needs a terminal')
    expect(asked).toEqual([])
  })

  it('says a stopped VM as check and suspend do: "The VM … is stopped", and `cal start NAME` in backquotes', async () => {
    // It said `VM "dev" is stopped …` and "Start it first: cal start dev", where check and suspend say
    // `The VM "dev" is not running.` and "Start it with `cal start dev`."
    const calHome = mkdtempSync(join(tmpdir(), 'cal-ssh-stopped-'))
    try {
      for (const [state, message, hint] of [
        ['stopped', 'The VM "dev" is stopped: it has no IP address to connect to.', 'Start it with `cal start dev`.'],
        ['stopping', 'The VM "dev" is stopping.', 'Once it has stopped, start it again with `cal start dev`.'],
      ] as const) {
        const handlers = { 'vms:get': async () => vm(state) }
        let stderr = ''
        const code = await runCli(['ssh', 'dev', '--', 'ls'], { stdout: () => {}, stderr: (t) => void (stderr += t), isTTY: false, canAsk: false }, async () => ({ handlers: handlers as never, events: new EngineEvents(), calHome }))
        expect(code).toBe(4)
        expect(stderr).toBe(`error: ${message}\nhint: ${hint}\n`)
      }
    } finally {
      rmSync(calHome, { recursive: true, force: true })
    }
  })
})

describe('cal run while an agent already works in the VM', () => {
  const launchInfo = (running: string | null) => ({
    vm: 'dev', vmState: 'running', agent: 'opencode', agentLabel: 'opencode', isolated: true, repository: null, branch: null,
    lastBackupAt: null, autoSnapshot: true, warning: null, signedIn: true, signInPath: '~/.config/opencode/config.json',
    command: 'opencode', installed: true, running,
  })
  const runWith = (running: string | null) => () => ({
    'agent:launchInfo': async () => launchInfo(running),
    'agent:launch': async () => ({ id: 's1', vm: 'dev', kind: 'agent', tmuxSession: 'cal-agent' }),
    'terminal:close': async () => ({}),
  })

  it('says the asked-for agent was not started and names what runs there, not "opencode runs in…"', async () => {
    const r = await cal(['run', 'dev', '--agent', 'opencode'], runWith('claude'))
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('opencode was not started: claude already runs in dev\'s tmux session "cal-agent". Attach it with `cal ssh dev`.\n')
    const json = await cal(['run', 'dev', '--agent', 'opencode', '--json'], runWith('claude'))
    expect(JSON.parse(json.stdout)).toMatchObject({ agent: 'opencode', started: false, running: 'claude' })
  })

  it('says the agent already runs when it is the one asked for', async () => {
    const r = await cal(['run', 'dev'], runWith('opencode'))
    expect(r.stdout).toBe('opencode already runs in dev\'s tmux session "cal-agent". Attach it with `cal ssh dev`.\n')
  })

  it('says a VM in an error state is in an error state, not "is error"', async () => {
    const r = await cal(['run', 'dev'], () => ({ 'agent:launchInfo': async () => ({ ...launchInfo(null), vmState: 'error' }) }))
    expect(r.code).toBe(4)
    expect(r.stderr).toContain('error: The VM "dev" is in an error state, so its agent cannot start.')
  })

  it('says the agent runs when it was started', async () => {
    const r = await cal(['run', 'dev', '--agent', 'opencode'], runWith(null))
    expect(r.stdout).toBe('opencode runs in dev\'s tmux session "cal-agent". Attach it with `cal ssh dev`.\n')
  })
})

describe('cal run when its session snapshot has to shut the VM down', () => {
  const info = {
    vm: 'dev', vmState: 'running', agent: 'claude', agentLabel: 'Claude Code', isolated: true, repository: null, branch: null, lastBackupAt: null,
    autoSnapshot: true, warning: null, signedIn: true, signInPath: '~/.claude', command: 'claude', installed: true, running: null, snapshotShutsDown: true,
  }
  const sessions = [
    { name: 'build', kind: 'shell', createdAt: null, clients: 0, openId: null, command: 'make' },
    { name: 'shell-1', kind: 'shell', createdAt: null, clients: 1, openId: 'x', command: null },
  ]
  async function ask(args: string[], live: typeof sessions) {
    let stderr = ''
    const asked: Array<{ question: string; defaultYes: boolean | undefined }> = []
    const handlers = { 'agent:launchInfo': async () => info, 'terminal:sessions': async () => live }
    const code = await runCli(
      args,
      { stdout: () => {}, stderr: (t) => void (stderr += t), isTTY: true, canAsk: true, confirm: async (question, _c, defaultYes) => (asked.push({ question, defaultYes }), false) },
      async () => ({ handlers: handlers as never, events: new EngineEvents(), calHome: '/tmp' }),
    )
    return { code, stderr, asked }
  }

  it('names the programs it ends, and then Enter does not launch', async () => {
    const r = await ask(['run', 'dev'], sessions)
    expect(r.code).toBe(130)
    expect(r.stderr).toContain('which ends the programs running in it:\n             - build: make\n')
    expect(r.stderr).not.toContain('shell-1')
    expect(r.asked).toEqual([{ question: 'Launch Claude Code in dev?', defaultYes: false }])
  })

  it('keeps Enter as launch when only shells wait at their prompts, or when no snapshot is taken', async () => {
    expect((await ask(['run', 'dev'], sessions.slice(1))).asked[0]?.defaultYes).toBe(true)
    const none = await ask(['run', 'dev', '--no-snapshot'], sessions)
    expect(none.asked[0]?.defaultYes).toBe(true)
    expect(none.stderr).not.toContain('build: make')
  })
})

describe('cal snapshot --help', () => {
  it('says a running VM CAL cannot suspend is shut down for it, not that every running VM is suspended', async () => {
    const help = (await cal(['snapshot', '--help'], () => ({}))).stdout.replace(/\s+/g, ' ')
    expect(help).toContain('a running VM is suspended, cloned and resumed; one CAL cannot suspend is shut down and started again, which ends its programs: it names them, and asks first on a terminal; without one, it needs --yes')
  })
})

describe('cal rollback and cal snapshot restore', () => {
  // The title is the engine's prose (it may change, or be translated): the result names the snapshot.
  const restoring = (kind: string, snapshot: string) => (events: EngineEvents) => ({
    [`snapshots:${kind}`]: async () => ({ ...endedTask(events, kind, 'Bring dev back', 'succeeded'), snapshot }),
  })

  it('name the snapshot the engine says it restored, not one parsed from the task title', async () => {
    const r = await cal(['rollback', 'dev', '--yes'], restoring('rollback', 'session-2026-11-23-091348'))
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('dev rolled back to snapshot session-2026-11-23-091348.\n')
    const restore = await cal(['snapshot', 'restore', 'dev', 'before', '--yes'], restoring('restore', 'before'))
    expect(restore.stdout).toBe('dev restored to snapshot before.\n')
  })

  it('give it with --json too', async () => {
    const r = await cal(['rollback', 'dev', '--yes', '--json'], restoring('rollback', 'session-1'))
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, task: { id: 't1', state: 'succeeded' }, restoredSnapshot: 'session-1' })
  })
})

describe('cal stop, restart and snapshot create without a terminal (a script)', () => {
  const build = { name: 'build', kind: 'shell', createdAt: null, clients: 0, openId: null, command: 'make' }
  const agent = { name: 'cal-agent', kind: 'agent', createdAt: null, clients: 0, openId: null, command: 'claude' }
  const handlers = (stopped: string[], sessions: unknown[] = [build]) => (events: EngineEvents) => ({
    'vms:get': async () => ({ ...vm('running', '192.168.64.5'), suspendable: false }),
    'terminal:sessions': async () => sessions,
    'vms:stop': async () => (stopped.push('stop'), endedTask(events, 'stop', 'Stop dev', 'succeeded')),
    'vms:restart': async () => (stopped.push('restart'), endedTask(events, 'restart', 'Restart dev', 'succeeded')),
    'snapshots:create': async () => (stopped.push('snapshot'), endedTask(events, 'snapshot', 'Snapshot dev', 'succeeded')),
    'snapshots:list': async () => [],
  })

  it('refuse with exit 6 while programs run, as delete and restore do, naming them; nothing is ended', async () => {
    // They went ahead and ended the agent's session, after a "Stop dev?" that was never asked.
    for (const [args, doing, anyway] of [
      [['stop', 'dev'], 'Stopping dev', 'stop anyway'],
      [['restart', 'dev'], 'Restarting dev', 'restart anyway'],
      [['snapshot', 'create', 'dev', 's1'], 'A snapshot of dev', 'shut down and snapshot anyway'],
    ] as const) {
      const stopped: string[] = []
      const r = await cal([...args], handlers(stopped, [agent, build]))
      expect(r.code, args[0]).toBe(6)
      expect(stopped).toEqual([])
      expect(r.stderr).toContain(`error: ${doing} would end 2 programs still running in it:\n  - cal-agent (the agent): claude\n  - build: make\nhint: `)
      expect(r.stderr).toContain(`Pass --yes to ${anyway}. Without a terminal, CAL only proceeds with --yes.\n`)
      expect(r.stderr).not.toContain('?')
      expect(r.stdout).toBe('')
    }
  })

  it('say it in --json too, with every program in the message', async () => {
    const r = await cal(['stop', 'dev', '--json'], handlers([]))
    expect(r.code).toBe(6)
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED', message: 'Stopping dev would end the program still running in it: build: make.' } })
  })

  it('go ahead with --yes, or when nothing runs', async () => {
    const stopped: string[] = []
    const quiet = await cal(['stop', 'dev', '--yes'], handlers(stopped))
    expect(quiet.code).toBe(0)
    expect(quiet.stderr).not.toContain('build: make')
    const idle = await cal(['stop', 'dev'], handlers(stopped, [{ ...build, command: null }]))
    expect(idle.code).toBe(0)
    expect(idle.stdout).toContain('dev is stopped.')
    expect(stopped).toEqual(['stop', 'stop'])
  })
})

describe('a VM in an error state', () => {
  const crash = 'guest has stopped the virtual machine due to error: Error Domain=VZErrorDomain Code=1 "The virtual machine stopped unexpectedly." UserInfo={NSLocalizedFailure=Internal Virtualization error.}'
  const info = (name: string, error: string | null) =>
    ({ name, state: error ? 'error' : 'running', error, role: 'workspace', cpu: 4, memoryMb: 8192, diskGb: 80, sizeGb: 20, ip: error ? null : '192.168.64.5', agent: null, lastSessionSnapshotAt: null }) as unknown as VmInfo
  const handlers = (vms: VmInfo[]) => () => ({
    'vms:list': async () => vms,
    'vms:get': async ({ name }: { name: string }) => vms.find((v) => v.name === name),
    'snapshots:diskUsage': async () => ({ vms: [] }),
    'snapshots:list': async () => [],
    'settings:get': async () => Promise.reject(new Error('no settings here')),
  })

  it('is "error" in cal list, which stays narrow, with a line that points to cal status', async () => {
    // The guest's whole error text went into the STATE column, and every row became 240 columns wide.
    const r = await cal(['list'], handlers([info('dev', null), info('vm2', crash)]))
    expect(r.code).toBe(0)
    const [head, dev, vm2, note] = r.stdout.split('\n')
    expect(head).toMatch(/^NAME {2}STATE {4}ROLE/)
    expect(dev).toMatch(/^dev {3}running {2}workspace/)
    expect(vm2).toMatch(/^vm2 {3}error {4}workspace/)
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThan(100)
    expect(note).toBe('vm2 is in an error state: `cal status vm2` says why and what to do.')
  })

  it('keeps the whole error in cal list --json and cal status --json', async () => {
    expect(JSON.parse((await cal(['list', '--json'], handlers([info('vm2', crash)]))).stdout)[0].error).toBe(crash)
    expect(JSON.parse((await cal(['status', 'vm2', '--json'], handlers([info('vm2', crash)]))).stdout).error).toBe(crash)
  })

  it('is said in cal status with what to do next', async () => {
    const r = await cal(['status', 'vm2'], handlers([info('vm2', crash)]))
    expect(r.stdout).toContain(`error                 ${crash}\n`)
    expect(r.stdout).toContain('next step             It stopped unexpectedly. Start it again with `cal start vm2`; what was saved on its disk is still there.\n')
  })

  it('adds no next step to an error of CAL\'s own, which says its remedy', async () => {
    for (const error of ['Its create was cut short: it may still have the image\'s size, MAC address and serial. Delete it and create it again.', 'A restore could not finish: the VM is parked as "vm2.restore-old".']) {
      const r = await cal(['status', 'vm2'], handlers([info('vm2', error)]))
      expect(r.stdout).toContain(error)
      expect(r.stdout).not.toContain('next step')
    }
  })
})
