import { parseArgs, type ParseArgsConfig } from 'node:util'
import { z } from 'zod'
import { CalError } from '../shared/errors'
import { AgentId, resourceNumber, type VmResource } from '../shared/vm'
import { didYouMean } from './suggest'

type Options = NonNullable<ParseArgsConfig['options']>

export interface Parsed {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
  help: boolean
}

/** node:util parseArgs with `--help` built in and errors turned into INVALID_INPUT carrying the usage. */
export function parseVerb(argv: string[], options: Options, usage: string, counts: { min: number; max: number }): Parsed {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
  } catch (err) {
    throw new CalError('INVALID_INPUT', parseErrorMessage(err as Error & { code?: string }, Object.keys(options)), usage.split('\n')[0] ?? '')
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  const help = values.help === true
  if (!help && (parsed.positionals.length < counts.min || parsed.positionals.length > counts.max)) {
    throw new CalError('INVALID_INPUT', parsed.positionals.length < counts.min ? 'Missing arguments.' : `Unexpected argument "${parsed.positionals[counts.max]}".`, usage.split('\n')[0] ?? '')
  }
  return { values, positionals: parsed.positionals, help }
}

/** The global flags, which every verb accepts too (cal list --json). */
const GLOBAL_FLAGS = ['json', 'yes', 'tart', 'help']

/**
 * node:util's messages, made short: its unknown-option text tells you to quote the flag as a positional argument
 * (and leaves a quote open), which is never what a cal user meant; its missing-value text shows its own syntax
 * ("Option '--cpu <value>' argument missing"). A typo of a flag the verb takes is named ("did you mean").
 */
function parseErrorMessage(err: Error & { code?: string }, flags: string[]): string {
  const unknown = /^Unknown option '([^']*)'/.exec(err.message)
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const flag = unknown[1] ?? ''
    return `Unknown option ${flag}.${flag.startsWith('--') ? didYouMean(flag.slice(2), [...flags, ...GLOBAL_FLAGS], (f) => `--${f}`) : ''}`
  }
  const missing = /^Option '(?:-\w, )?(--[^ ']+)[^']*' argument missing/.exec(err.message)
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && missing) return `${missing[1]} needs a value.`
  const noValue = /^Option '(?:-\w, )?(--[^ ']+)' does not take an argument/.exec(err.message)
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && noValue) return `${noValue[1]} takes no value.`
  // A value that starts with "-" (--disk -5) reads as the next option: say what to write instead.
  const dash = /^Option '(?:-\w, )?(--[^ ']+)' argument is ambiguous/.exec(err.message)
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && dash) return `${dash[1]} needs a value; one that starts with "-" is written ${dash[1]}=-VALUE.`
  return err.message.split('\n')[0] ?? 'Bad arguments.'
}

/** The seeds' names for the agents (`--agent claude-code`), beside CAL's own. */
const AGENT_ALIASES: Record<string, AgentId> = { 'claude-code': 'claude', 'cursor-cli': 'cursor' }

/** --agent: claude, opencode or cursor (or the seeds' claude-code, cursor-cli); undefined when not given. */
export function agentOption(value: string | boolean | undefined, usage: string): AgentId | undefined {
  if (value === undefined) return undefined
  const parsed = AgentId.safeParse(typeof value === 'string' ? (AGENT_ALIASES[value] ?? value) : value)
  if (!parsed.success) throw new CalError('INVALID_INPUT', `--agent must be claude, opencode or cursor (got "${String(value)}").`, usage.split('\n')[0] ?? '')
  return parsed.data
}

/**
 * A whole-number option (--cpu, --memory, --disk), checked before any work starts: a value Tart would refuse is a
 * usage error naming the option, the value, the range and an example, not a failure after a pull and a clone.
 * `example`: the command line it is shown in (`cal create dev`). Undefined when not given.
 */
export function wholeNumberOption(value: string | boolean | undefined, flag: string, range: VmResource, example: string): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined
  const schema = z.string().trim().regex(/^\d+$/).transform(Number).pipe(resourceNumber(range))
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const allowed = `${range.min} to ${range.max} ${range.unit}`
  const numeric = /^\s*\d+\s*$/.test(value)
  const what = numeric ? `is ${Number(value) < range.min ? 'below the minimum' : 'above the maximum'}` : 'is not a whole number'
  throw new CalError('INVALID_INPUT', `--${flag} "${value}" ${what}: it takes ${allowed}.`, `For example: ${example} --${flag} ${range.example}`)
}
