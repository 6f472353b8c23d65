// The `cal` dispatcher without an engine: help, usage errors, global flags, exit codes, error printing.
import { describe, expect, it } from 'vitest'
import { CalError, ErrorCode } from '../../src/shared/errors'
import { exitCodeFor } from '../../src/cli/exit-codes'
import { answerIsYes, runCli, splitGlobals } from '../../src/cli/main'
import { localStamp, printError, withoutSummary, table } from '../../src/cli/output'
import { attachCommand, parseSshArgs } from '../../src/cli/commands/ssh'
import { withConfirmation } from '../../src/cli/task-runner'
import type { CliContext } from '../../src/cli/context'

async function cal(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false }, async () => {
    throw new CalError('TART_NOT_FOUND', 'no engine in this test', 'hint')
  })
  return { code, stdout, stderr }
}

describe('cal dispatcher', () => {
  it('prints help with the verbs and exit codes', async () => {
    const r = await cal(['--help'])
    expect(r.code).toBe(0)
    for (const verb of ['list', 'status', 'create', 'start', 'stop', 'restart', 'suspend', 'snapshot', 'rollback', 'check', 'disk-usage', 'doctor', 'ssh']) expect(r.stdout).toContain(verb)
    expect(r.stdout).toContain('Exit codes')
    expect((await cal([])).code).toBe(2)
  })

  it('has --help on every verb, without needing Tart', async () => {
    for (const verb of ['list', 'status', 'create', 'start', 'stop', 'restart', 'suspend', 'delete', 'snapshot', 'rollback', 'check', 'disk-usage', 'doctor']) {
      const r = await cal([verb, '--help'])
      expect(r.code, verb).toBe(0)
      expect(r.stdout, verb).toMatch(/^Usage: cal /)
    }
    expect((await cal(['help', 'start'])).stdout).toMatch(/^Usage: cal start/)
  })

  it('rejects unknown commands and bad arguments with exit 2', async () => {
    const r = await cal(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('error: Unknown command "frobnicate".')
    expect(r.stderr).toContain('hint: ')
  })

  it('prints engine errors as error + hint with the code\'s exit status', async () => {
    const r = await cal(['list'])
    expect(r.code).toBe(8)
    expect(r.stderr).toBe('error: no engine in this test\nhint: hint\n')
  })

  it('leaves -h and --help after "--" to the remote command, and refuses help for an unknown verb', async () => {
    // Reaches the engine (absent here: exit 8) instead of printing help with no engine.
    expect((await cal(['ssh', 'dev', '--', 'ls', '-h', '/'])).code).toBe(8)
    expect((await cal(['ssh', 'dev', '--', 'grep', '--help'])).code).toBe(8)
    expect((await cal(['ssh', '--help'])).stdout).toMatch(/^Usage: cal ssh/)
    const r = await cal(['help', 'nosuch'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Unknown command "nosuch".')
  })

  it('checks cal ssh arguments before connecting', () => {
    expect(() => parseSshArgs(['dev', '--session'])).toThrow(/--session needs a tmux session name/)
    expect(() => parseSshArgs(['dev', '-t'])).toThrow(/-t runs a command on a terminal/)
    expect(() => parseSshArgs(['dev', '--session', 'my.v2'])).toThrow(/not a valid tmux session name/)
    // tmux reads "#" in a session name as a format: "#(cmd)" ran cmd in the VM, and the session got another name.
    expect(() => parseSshArgs(['dev', '--session', 'notes#(id>/tmp/x)'])).toThrow(expect.objectContaining({ hint: expect.stringContaining('"#" (tmux reads it as a format)') }))
    // Empty or too long: the same rule in words, not the schema's own ("Too small: expected string…").
    for (const name of ['', 'x'.repeat(101)]) {
      expect(() => parseSshArgs(['dev', '--session', name])).toThrow(expect.objectContaining({ hint: expect.stringMatching(/^Use up to 100 printable characters/) }))
    }
    expect(parseSshArgs(['dev', '--session', 'my sess'])).toMatchObject({ vm: 'dev', session: 'my sess', command: null })
    expect(parseSshArgs(['dev', '-t', '--', 'htop'])).toMatchObject({ tty: true, command: ['htop'] })
    // Options that each do one thing are not combined, so none is silently left undone.
    expect(() => parseSshArgs(['dev', '--forget-host-key', '--', 'echo', 'x'])).toThrow(/--forget-host-key does only that/)
    expect(() => parseSshArgs(['dev', '--list', '--forget-host-key'])).toThrow(/--forget-host-key does only that/)
    expect(() => parseSshArgs(['dev', '--session', 'foo', '--', 'echo', 'hi'])).toThrow(/use one or the other/)
    expect(() => parseSshArgs(['dev', '--list', '--session', 'foo'])).toThrow(/leave out --session/)
    expect(parseSshArgs(['dev', '--forget-host-key'])).toMatchObject({ forget: true, command: null })
  })

  it('tells --session (a session that runs) from --new-session and from the agent\'s default', () => {
    expect(parseSshArgs(['dev'])).toMatchObject({ session: 'cal-agent', sessionMode: 'agent' })
    expect(parseSshArgs(['dev', '--session', 'work'])).toMatchObject({ session: 'work', sessionMode: 'existing' })
    expect(parseSshArgs(['dev', '-s', 'work'])).toMatchObject({ sessionMode: 'existing' })
    expect(parseSshArgs(['dev', '--new-session', 'work'])).toMatchObject({ session: 'work', sessionMode: 'new' })
    expect(() => parseSshArgs(['dev', '--session', 'a', '--new-session', 'b'])).toThrow(/use one or the other/)
    expect(() => parseSshArgs(['dev', '--new-session'])).toThrow(/--new-session needs a tmux session name/)
    expect(() => parseSshArgs(['dev', '--new-session', 'x#y'])).toThrow(/not a valid tmux session name/)
    expect(() => parseSshArgs(['dev', '--new-session', 'foo', '--', 'ls'])).toThrow(/use one or the other/)
  })

  it('attaches --session without ever creating it (an exact name, not a prefix); the others create it if needed', () => {
    // --session TYPO made a new, empty session in the VM (tmux new-session -A).
    const existing = attachCommand('my sess', true)
    expect(existing).toContain("attach-session -t '=my sess'")
    expect(existing).not.toContain('new-session')
    expect(attachCommand('cal-agent')).toContain('new-session -A -s cal-agent')
  })
})

describe('questions', () => {
  it('take y or yes as yes, an empty answer as the default, anything else as no', () => {
    expect(['y', 'Yes', ' YES \n'].map((a) => answerIsYes(a))).toEqual([true, true, true])
    expect(['', 'n', 'maybe', 'yess'].map((a) => answerIsYes(a))).toEqual([false, false, false, false])
    expect(['', ' ', 'y'].map((a) => answerIsYes(a, true))).toEqual([true, true, true])
    expect(['n', 'no', 'nope'].map((a) => answerIsYes(a, true))).toEqual([false, false, false])
  })
})

describe('global flags', () => {
  it('are found anywhere before --', () => {
    expect(splitGlobals(['start', 'dev', '--json', '--tart', '/x/tart', '-y'])).toMatchObject({ json: true, yes: true, tartPath: '/x/tart', rest: ['start', 'dev'] })
    expect(splitGlobals(['--tart=/y', 'list'])).toMatchObject({ tartPath: '/y', rest: ['list'] })
    expect(splitGlobals(['ssh', 'dev', '--', '--json'])).toMatchObject({ json: false, rest: ['ssh', 'dev', '--', '--json'] })
  })
})

describe('exit codes and output', () => {
  it('maps every error code to a documented exit status', () => {
    for (const code of ErrorCode.options) expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 130]).toContain(exitCodeFor(code))
    expect(exitCodeFor('VM_LIMIT_REACHED')).toBe(5)
    expect(exitCodeFor('GIT_RISK')).toBe(6)
    expect(exitCodeFor('DISK_FULL')).toBe(7)
  })

  it('prints errors as JSON on stdout with --json, and the risk lines on stderr', () => {
    let out = ''
    let err = ''
    const report = { summary: ['~/workspace/app (main): 1 commit not pushed'] }
    const code = printError({ stdout: (t) => void (out += t), stderr: (t) => void (err += t), json: true }, new CalError('GIT_RISK', 'would lose work', 'push first', { report }))
    expect(code).toBe(6)
    expect(JSON.parse(out)).toMatchObject({ ok: false, error: { code: 'GIT_RISK' } })
    expect(err).toContain('  - ~/workspace/app (main): 1 commit not pushed')
  })

  it('says a git report once: the message drops the summary it ends with when the lines follow', () => {
    let err = ''
    const summary = ['~/app (main): 1 commit not pushed', 'checked 1 repository under ~ (depth 6)']
    const e = new CalError('GIT_RISK', `The restore would lose work in "dev": ${summary.join('; ')}.`, 'Push it first.', { report: { summary } })
    printError({ stdout: () => undefined, stderr: (t) => void (err += t), json: false }, e)
    expect(err).toBe(`error: The restore would lose work in "dev":\n  - ${summary[0]}\n  - ${summary[1]}\nhint: Push it first.\n`)
    // A message that does not end with it stays whole.
    expect(withoutSummary('Something else.', summary)).toBe('Something else.')
  })

  it('lists where the git check looked after the work at risk, not as one of its items (as cal check does)', async () => {
    const scope = 'checked 1 repository under ~ (depth 6)'
    const summary = ['~/app (main): 1 uncommitted change', scope]
    const report = { summary, scope }
    const e = new CalError('GIT_RISK', `The delete would lose work in "dev": ${summary.join('; ')}.`, 'Push it first.', { report })
    let err = ''
    printError({ stdout: () => undefined, stderr: (t) => void (err += t), json: false }, e)
    expect(err).toBe(`error: The delete would lose work in "dev":\n  - ${summary[0]}\n(${scope})\nhint: Push it first.\n`)
    // The question on a terminal shows the same lines.
    let asked = ''
    const ctx = { yes: false, canAsk: true, stderr: (t: string) => void (asked += t), confirm: async () => false } as unknown as CliContext
    await expect(withConfirmation(ctx, async () => Promise.reject(e))).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(asked).toBe(`warning: The delete would lose work in "dev":\n  - ${summary[0]}\n(${scope})\n`)
  })

  it('shows a snapshot\'s time in this machine\'s time zone, not UTC', () => {
    const tz = process.env.TZ
    try {
      process.env.TZ = 'Asia/Tokyo'
      expect(localStamp('2026-11-23T23:30:00.000Z')).toBe('2026-11-24 08:30')
      process.env.TZ = 'UTC'
      expect(localStamp('2026-11-23T23:30:00.000Z')).toBe('2026-11-23 23:30')
    } finally {
      if (tz === undefined) delete process.env.TZ
      else process.env.TZ = tz
    }
  })

  it('formats tables with aligned columns', () => {
    expect(table(['A', 'BB'], [['xyz', null], ['1', 2]])).toBe('A    BB\nxyz  -\n1    2\n')
  })
})
