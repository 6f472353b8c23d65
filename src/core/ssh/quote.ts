/**
 * The one quoting helper for every remote command (POSIX sh). Each argument becomes a single word:
 * wrapped in single quotes, with embedded single quotes written as '\''. Plain words stay readable.
 */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

export function shellJoin(args: readonly string[]): string {
  return args.map(shellQuote).join(' ')
}
