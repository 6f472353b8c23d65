// What cal says about the VM around start, restart and ssh: the state a cancelled start left it in, a restart that only
// starts, and cal ssh refusing at once without a terminal.
import { afterEach, describe, expect, it } from 'vitest'
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
    expect(r.stderr).toBe('Start dev was cancelled; dev was left stopped.\nhint: Start it with: cal start dev\n')
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
    expect(attach.stderr).toContain('hint: To run one command: cal ssh dev -- COMMAND')
    const tty = await cal(['ssh', 'dev', '-t', '--', 'htop'], handlers)
    expect(tty.code).toBe(2)
    expect(tty.stderr).toContain('cal ssh -t needs a terminal')
    expect(asked).toEqual([])
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
    expect(r.stdout).toBe('opencode was not started: claude already runs in dev\'s tmux session "cal-agent". Attach it: cal ssh dev\n')
    const json = await cal(['run', 'dev', '--agent', 'opencode', '--json'], runWith('claude'))
    expect(JSON.parse(json.stdout)).toMatchObject({ agent: 'opencode', started: false, running: 'claude' })
  })

  it('says the agent already runs when it is the one asked for', async () => {
    const r = await cal(['run', 'dev'], runWith('opencode'))
    expect(r.stdout).toBe('opencode already runs in dev\'s tmux session "cal-agent". Attach it: cal ssh dev\n')
  })

  it('says the agent runs when it was started', async () => {
    const r = await cal(['run', 'dev', '--agent', 'opencode'], runWith(null))
    expect(r.stdout).toBe('opencode runs in dev\'s tmux session "cal-agent". Attach it: cal ssh dev\n')
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
    expect(help).toContain('a running VM is suspended, cloned and resumed; one CAL cannot suspend is shut down and started again, which ends its programs: on a terminal it names them and asks first')
  })
})

describe('cal rollback', () => {
  it('names the snapshot it rolled back to, once, not the task title in parentheses', async () => {
    const r = await cal(['rollback', 'dev', '--yes'], (events) => ({
      'snapshots:rollback': async () => endedTask(events, 'rollback', 'Roll dev back to session-2026-11-23-091348', 'succeeded'),
    }))
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('dev rolled back to snapshot session-2026-11-23-091348.\n')
  })
})
