// What a newcomer's mistakes and second thoughts meet: a VM name mistyped for a snapshot verb, a flag mistyped or
// left without its value, a subcommand mistyped, help asked for in another order, Ctrl+C or Ctrl+D at a question,
// and --json where the text output had no JSON twin. Each through runCli with a fake engine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { CalError } from '../../src/shared/errors'
import { EngineEvents } from '../../src/core/events'
import { askTerminal, runCli } from '../../src/cli/main'
import { assertCalHomeIsFolder } from '../../src/cli/cal-home'
import { didYouMean } from '../../src/cli/suggest'

type Handlers = Record<string, (input: never) => Promise<unknown>>

const dir = mkdtempSync(join(tmpdir(), 'cal-mistakes-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function cal(args: string[], handlers: Handlers = {}, calHome = dir) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(
    args,
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, canAsk: false },
    async () => ({ handlers: handlers as never, events: new EngineEvents(), calHome }),
  )
  return { code, stdout, stderr }
}

const notFound = (vm: string) => new CalError('VM_NOT_FOUND', `The VM "${vm}" does not exist.`, 'Run `cal list` to see your VMs.', { vm })
const vms = { 'vms:list': async () => [{ name: 'dev' }], 'vms:get': async ({ name }: { name: string }) => (name === 'dev' ? { name } : Promise.reject(notFound(name))) }

describe('a snapshot verb on a VM that does not exist', () => {
  it('snapshot list says the VM does not exist (exit 3), rather than "no snapshots" with exit 0', async () => {
    const handlers = { ...vms, 'snapshots:list': async () => [] }
    const r = await cal(['snapshot', 'list', 'dve'], handlers)
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('The VM "dve" does not exist. Did you mean "dev"?')
    const json = await cal(['snapshot', 'list', 'dve', '--json'], handlers)
    expect(json.code).toBe(3)
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'VM_NOT_FOUND' } })
    const empty = await cal(['snapshot', 'list', 'dev'], handlers)
    expect(empty).toMatchObject({ code: 0, stdout: expect.stringContaining('dev has no snapshots') })
  })

  it('rollback and restore name the missing VM, not a missing snapshot', async () => {
    const handlers = {
      ...vms,
      'snapshots:list': async () => [],
      'snapshots:rollback': async ({ vm }: { vm: string }) => Promise.reject(new CalError('NO_SESSION_SNAPSHOT', `"${vm}" has no session-start snapshot to roll back to.`, 'See its snapshots.', { vm })),
      'snapshots:restore': async ({ vm, snapshot }: { vm: string; snapshot: string }) => Promise.reject(new CalError('SNAPSHOT_NOT_FOUND', `"${vm}" has no snapshot named "${snapshot}".`, 'See its snapshots.', { vm, snapshot })),
    }
    for (const args of [['rollback', 'dve', '--yes'], ['snapshot', 'restore', 'dve', 'before', '--yes']]) {
      const r = await cal(args, handlers)
      expect(r.code, args.join(' ')).toBe(3)
      expect(r.stderr, args.join(' ')).toContain('error: The VM "dve" does not exist. Did you mean "dev"?')
      expect(r.stderr, args.join(' ')).not.toContain('has no')
    }
    // The VM exists: the engine's own words stay.
    expect((await cal(['rollback', 'dev', '--yes'], handlers)).stderr).toContain('"dev" has no session-start snapshot')
  })
})

describe('flags', () => {
  it('a missing value or an unwanted one is said plainly, not in node:util words', async () => {
    const missing = await cal(['create', 'dev', '--cpu'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('error: --cpu needs a value.')
    expect(missing.stderr).not.toContain('<value>')
    const extra = await cal(['stop', 'dev', '--force=yes'])
    expect(extra.code).toBe(2)
    expect(extra.stderr).toContain('error: --force takes no value.')
    const dash = await cal(['create', 'z', '--disk', '-5'])
    expect(dash.code).toBe(2)
    expect(dash.stderr).toContain('error: --disk needs a value; one that starts with "-" is written --disk=-VALUE.')
    expect(dash.stderr).not.toContain('ambiguous')
  })

  it('a typo of a flag the verb takes, or of a global one, is named', async () => {
    expect((await cal(['stop', 'dev', '--forec'])).stderr).toContain('Unknown option --forec. Did you mean --force?')
    expect((await cal(['list', '--jsn'])).stderr).toContain('Unknown option --jsn. Did you mean --json?')
    expect((await cal(['ssh', 'dev', '--sesion', 'x'])).stderr).toContain('Unknown option --sesion. Did you mean --session?')
    expect((await cal(['list', '--bogus'])).stderr).not.toContain('Did you mean')
  })

  it('every "did you mean" is worded the same way: a sentence after the message, the guess shown as the typo was', async () => {
    const verb = await cal(['strat', 'dev'])
    const sub = await cal(['snapshot', 'lsit', 'dev'])
    const vm = await cal(['stop', 'dve'], { ...vms, 'vms:stop': async () => Promise.reject(notFound('dve')) })
    const flag = await cal(['stop', 'dev', '--forec'])
    const lines = [verb, sub, vm, flag].map((r) => r.stderr.split('\n')[0])
    expect(lines).toEqual([
      'error: Unknown command "strat". Did you mean "start"?',
      'error: Unknown snapshot command "lsit". Did you mean "list"?',
      'error: The VM "dve" does not exist. Did you mean "dev"?',
      'error: Unknown option --forec. Did you mean --force?',
    ])
    expect(didYouMean('lsit', ['list', 'start'])).toBe(' Did you mean "list"?')
    expect(didYouMean('zzzz', ['list'])).toBe('')
  })
})

describe('cal create sizes', () => {
  // The engine is never asked: a pull and a clone would come before Tart's own refusal.
  const untouched = { 'vms:create': async () => Promise.reject(new Error('the engine was asked')) }

  it('below what Tart accepts is a usage error at once, with the range and an example', async () => {
    const memory = await cal(['create', 'x', '--memory', '10'], untouched)
    expect(memory.code).toBe(2)
    expect(memory.stderr).toBe('error: --memory "10" is below the minimum: it takes 4096 to 1048576 MB.\nhint: For example: cal create x --memory 8192\n')
    const cpu = await cal(['create', 'x', '--cpu', '1'], untouched)
    expect(cpu.code).toBe(2)
    expect(cpu.stderr).toContain('error: --cpu "1" is below the minimum: it takes 2 to 64 CPU cores.')
    expect(cpu.stderr).toContain('hint: For example: cal create x --cpu 8')
    const disk = await cal(['create', 'x', '--disk', '99999'], untouched)
    expect(disk.code).toBe(2)
    expect(disk.stderr).toContain('error: --disk "99999" is above the maximum: it takes 20 to 4000 GB.')
  })

  it('that are not numbers name the option, the value and what it takes', async () => {
    for (const [flag, value] of [['--cpu', 'abc'], ['--memory', '8GB'], ['--disk', '-5'], ['--cpu', '4.5']] as const) {
      const r = await cal(['create', 'x', `${flag}=${value}`], untouched)
      expect(r.code, `${flag} ${value}`).toBe(2)
      expect(r.stderr, `${flag} ${value}`).toMatch(new RegExp(`^error: ${flag} "${value.replace('.', '\\.')}" is not a whole number: it takes \\d+ to \\d+ `))
      expect(r.stderr, `${flag} ${value}`).toContain(`hint: For example: cal create x ${flag} `)
    }
  })

  it('within the range reach the engine', async () => {
    let asked: unknown = null
    await cal(['create', 'x', '--cpu', '4', '--memory', '4096', '--disk', '20'], { 'vms:create': async (input: never) => ((asked = input), Promise.reject(new Error('stop here'))) })
    expect(asked).toMatchObject({ name: 'x', cpu: 4, memoryMb: 4096, diskGb: 20 })
  })
})

describe('snapshot subcommands and help', () => {
  it('a mistyped subcommand gets a suggestion; a missing one is a usage error on stderr', async () => {
    const typo = await cal(['snapshot', 'lsit', 'dev'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('Unknown snapshot command "lsit". Did you mean "list"?')
    const missing = await cal(['snapshot'])
    expect(missing.code).toBe(2)
    expect(missing.stdout).toBe('')
    expect(missing.stderr).toMatch(/^Usage: cal snapshot /)
    expect((await cal(['snapshot', '--help'])).stdout).toMatch(/^Usage: cal snapshot /)
  })

  it('cal --help VERB is that verb\'s help, and cal help help is cal\'s', async () => {
    const verb = await cal(['--help', 'start'])
    expect(verb.code).toBe(0)
    expect(verb.stdout).toMatch(/^Usage: cal start/)
    const help = await cal(['help', 'help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^cal — /)
  })
})

describe('--json where the text had no JSON twin', () => {
  it('status exits 8 when Tart is missing, with --json as without', async () => {
    const status = { 'app:status': async () => ({ tartFound: false, tartPath: null, tartPathFixed: null, tartVersion: null, calHome: dir, runningMacVms: 0, macVmLimit: 2, platform: 'linux', appVersion: '0.1.0' }) }
    expect((await cal(['status'], status)).code).toBe(8)
    const json = await cal(['status', '--json'], status)
    expect(json.code).toBe(8)
    expect(JSON.parse(json.stdout)).toMatchObject({ tartFound: false })
  })

  it('ssh --forget-host-key answers in JSON', async () => {
    const r = await cal(['ssh', 'dev', '--forget-host-key', '--json'], vms)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, vm: 'dev', forgotten: false })
  })

  it('ssh --forget-host-key of a VM that does not exist, with nothing pinned, is a mistake (exit 3), not "nothing to forget"', async () => {
    const r = await cal(['ssh', 'dve', '--forget-host-key'], vms)
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('The VM "dve" does not exist, and no host key is pinned for it. Did you mean "dev"?')
  })
})

describe('a question left without an answer', () => {
  it('Ctrl+D (the input ends) is a no, on a line of its own', { timeout: 5000 }, async () => {
    const input = new PassThrough()
    const output = new PassThrough()
    let shown = ''
    output.on('data', (d: Buffer) => (shown += d.toString()))
    setTimeout(() => input.end(), 20)
    await expect(askTerminal('Launch it?', undefined, true, { input, output })).resolves.toBe(false)
    expect(shown).toMatch(/Launch it\? \[Y\/n\] \n$/)
  })
})

describe('CAL_HOME', () => {
  it('a file where the folder should be is named, before the engine trips on it', () => {
    expect(() => assertCalHomeIsFolder(dir)).not.toThrow()
    expect(() => assertCalHomeIsFolder(join(dir, 'not-yet'))).not.toThrow()
    const file = join(dir, 'file')
    rmSync(file, { force: true })
    writeFileSync(file, '')
    expect(() => assertCalHomeIsFolder(file)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: `CAL_HOME "${file}" is not a folder.` }))
    // A file above it is the one named.
    const below = join(file, 'below')
    expect(() => assertCalHomeIsFolder(below)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: `CAL_HOME "${below}" cannot be a folder: "${file}" above it is a file.` }))
  })
})

describe('text from the VM on a terminal', () => {
  // A repository folder named to clear the screen, retitle the window and print a reassurance, right before a question.
  const path = '/home/admin/r\x1b]0;TITLE\x07\x1b[2J\x1b[31mFAKE: all work is pushed\x1b[0m\x9b2J\x7f'
  const item = `${path} (master): 1 untracked file`
  const report = { vm: 'dev', clean: false, repos: [], unreadable: [], summary: [item], scope: '', checkedAt: 'now' }
  // eslint-disable-next-line no-control-regex -- what must not reach the terminal
  const controls = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/

  it('cannot steer the terminal: its control characters are shown, not obeyed, in reports, errors and --json', async () => {
    const check = await cal(['check', 'dev'], { 'git:check': async () => report })
    expect(check.code).toBe(6)
    expect(check.stdout).not.toMatch(controls)
    expect(check.stdout).toContain('/home/admin/r\\u001b]0;TITLE\\u0007\\u001b[2J\\u001b[31mFAKE: all work is pushed\\u001b[0m\\u009b2J\\u007f (master)')
    const restore = await cal(['snapshot', 'restore', 'dev', 's1'], {
      'snapshots:restore': async () => Promise.reject(new CalError('GIT_RISK', `The restore would lose work in "dev": ${item}.`, 'Commit and push that work first.', { vm: 'dev', report })),
    })
    expect(restore.code).toBe(6)
    expect(restore.stderr).not.toMatch(controls)
    expect(restore.stderr).toContain('\\u001b[2J')
    // The same characters, unchanged, for a program reading --json.
    const json = await cal(['check', 'dev', '--json'], { 'git:check': async () => report })
    expect(json.stdout).not.toMatch(controls)
    expect(JSON.parse(json.stdout)).toEqual(report)
  })
})
