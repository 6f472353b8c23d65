import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { CalError } from '../../shared/errors'
import { listJoin } from '../../shared/text'
import { freeSpaceHint } from '../host/disk'

export const TART_INSTALL_HINT = 'Install Tart with `brew install cirruslabs/cli/tart`, or point CAL at it with --tart PATH or CAL_TART.'

export interface TartFailure {
  /** Tart's arguments, e.g. ['clone', 'a', 'b']. */
  args: readonly string[]
  exitCode: number | undefined
  stderr: string
  stdout: string
}

/** Orchard's rule: the first non-empty line of stderr, else of stdout; minus ArgumentParser's "Error: ". */
export function firstLine(f: Pick<TartFailure, 'stderr' | 'stdout'>): string {
  const pick = (s: string) => s.split('\n').map((l) => l.trim()).find((l) => l !== '')
  const line = pick(f.stderr) ?? pick(f.stdout) ?? ''
  return line.replace(/^Error:\s*/, '')
}

/**
 * Maps Tart's three error paths (bare runtime message exit 1/2, "Error: …" + usage exit 64, "Error: …" exit 1)
 * to CAL's stable codes. Matching is on the message, since the same situation can arrive by two paths
 * (`run` reports a missing VM with exit 1 and a prefix, every other verb with exit 2 and none).
 */
export function mapTartFailure(f: TartFailure): CalError {
  const line = firstLine(f)
  const all = `${f.stderr}\n${f.stdout}`
  const verb = f.args[0] ?? ''
  const details = { command: ['tart', ...f.args].join(' '), exitCode: f.exitCode ?? null, stderr: f.stderr.slice(-4000) }
  let m: RegExpExecArray | null

  if ((m = /the specified VM "([^"]*)" does not exist/.exec(all))) {
    return new CalError('VM_NOT_FOUND', `The VM "${m[1]}" does not exist.`, { cli: 'Run `cal list` to see your VMs.', app: 'The sidebar lists the VMs Tart knows.' }, { ...details, vm: m[1] })
  }
  if ((m = /The number of VMs exceeds the system limit(?: \(other running VMs: ([^)]*)\))?/.exec(all))) {
    const running = m[1] ? m[1].split(',').map((s) => s.trim()).filter(Boolean) : []
    return vmLimitError(running, details)
  }
  if ((m = /VM "(?:VM ")?([^"]*)"(?: is not running")? is not running/.exec(all))) {
    return new CalError('VM_NOT_RUNNING', `The VM "${m[1]}" is not running.`, { cli: `Start it with \`cal start ${m[1]}\`.`, app: 'Start it first.' }, { ...details, vm: m[1] })
  }
  if ((m = /VM "([^"]*)" is already running!/.exec(all))) {
    return new CalError('VM_ALREADY_RUNNING', `The VM "${m[1]}" is already running.`, { cli: `Stop it first with \`cal stop ${m[1]}\`, or just connect to it.`, app: 'Stop it first, or just open a terminal on it.' }, { ...details, vm: m[1] })
  }
  if ((m = /VM "([^"]*)" is running/.exec(all))) {
    return new CalError('VM_ALREADY_RUNNING', `The VM "${m[1]}" is running, so Tart cannot ${verb} it.`, { cli: `Stop it first with \`cal stop ${m[1]}\`.`, app: 'Stop it first.' }, { ...details, vm: m[1] })
  }
  if ((m = /(\S+) should be a local name/.exec(all))) {
    return new CalError('NAME_INVALID', `"${m[1]}" is not a valid local VM name.`, 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit.', details)
  }
  if ((m = /failed to rename VM (\S+), target VM (\S+) already exists/.exec(all))) {
    return new CalError('VM_EXISTS', `Cannot rename "${m[1]}": a VM named "${m[2]}" already exists.`, `Delete or rename "${m[2]}" first.`, details)
  }
  if ((m = /failed to rename a non-existent local VM: (\S+)/.exec(all))) {
    return new CalError('VM_NOT_FOUND', `The VM "${m[1]}" does not exist.`, { cli: 'Run `cal list` to see your VMs.', app: 'The sidebar lists the VMs Tart knows.' }, { ...details, vm: m[1] })
  }
  if (/No space left on device|volume is out of space|out of space/i.test(all)) {
    return new CalError('DISK_FULL', `The disk is full: tart ${verb} could not write its files.`, freeSpaceHint(), details)
  }
  if (/no IP address found/.test(all)) {
    const notRunning = /is your VM running\?/.test(all)
    // `tart ip NAME`: the hints name the VM, for a command line that runs them as they are.
    const vm = verb === 'ip' && f.args[1] ? f.args[1] : 'NAME'
    const it = vm === 'NAME' ? 'The VM' : `"${vm}"`
    return new CalError(
      notRunning ? 'VM_NOT_RUNNING' : 'VM_BOOT_TIMEOUT',
      notRunning ? `${it} stopped before it got an IP address.` : `${it} did not get an IP address in time.`,
      notRunning
        ? { cli: `Check the VM log under CAL_HOME/logs and start it again (\`cal start ${vm}\`).`, app: 'Check the VM log under CAL_HOME/logs and start it again.' }
        : { cli: `It was left running and may still be booting: see \`cal status ${vm}\`; if it gets no address, \`cal restart ${vm}\` or \`cal stop ${vm}\`, and check its log under CAL_HOME/logs.`, app: 'It was left running and may still be booting; if it gets no address, restart or stop it, and check its log under CAL_HOME/logs.' },
      { ...details, ...(vm === 'NAME' ? {} : { vm }) },
    )
  }
  if (/UnexpectedHTTPStatusCode\(.*code: 404/.test(all) || /failed to parse remote name/.test(all)) {
    return new CalError('IMAGE_NOT_FOUND', `The image could not be found: ${line}`, 'Check the image name, e.g. ghcr.io/cirruslabs/macos-sequoia-base:latest.', details)
  }
  if (/AuthFailed|UnexpectedHTTPStatusCode\(.*code: 40[13]/.test(all)) {
    return new CalError('TART_FAILED', `The registry refused access: ${line}`, 'Log in with `tart login <registry>` or set TART_REGISTRY_USERNAME / TART_REGISTRY_PASSWORD.', details)
  }
  if (/LessThanMinimalResourcesError|should be larger than the current disk size/.test(all)) {
    return new CalError('INVALID_INPUT', `Tart refused the resources: ${line}`, 'Ask for at least the image\'s minimum CPU and memory; a disk can only grow.', details)
  }
  if (/VM is missing some of its files/.test(all)) {
    return new CalError('TART_FAILED', `The VM's files are incomplete: ${line}`, 'The VM directory under ~/.tart/vms is damaged; restore a snapshot or delete it.', details)
  }
  // With nothing said, "the message is Tart's own" pointed at no message: the command to run by hand is named instead.
  const hint = line ? 'The message is Tart\'s own; run the same tart command by hand for more detail.' : `Tart said nothing: run \`${details.command}\` by hand, and check that the Tart path (--tart, CAL_TART, or Settings → Tart path in the app) is Tart.`
  return new CalError('TART_FAILED', `tart ${verb} failed${line ? `: ${line}` : ` with exit code ${f.exitCode ?? 'unknown'}`}`, hint, details)
}

export function vmLimitError(running: string[], extra: Record<string, unknown> = {}): CalError {
  const names = running.length ? listJoin(running) : 'other VMs'
  return new CalError(
    'VM_LIMIT_REACHED',
    `macOS allows only 2 macOS VMs at once, and ${names} ${running.length === 1 ? 'is' : 'are'} already running.`,
    { cli: `Stop one first, e.g. \`cal stop ${running[0] ?? 'NAME'}\`.`, app: 'Stop one of them first.' },
    { ...extra, running },
  )
}

export function tartNotFound(path: string): CalError {
  return new CalError('TART_NOT_FOUND', `Tart was not found (looked for "${path}").`, TART_INSTALL_HINT, { tartPath: path })
}

/**
 * The Tart path exists but cannot be run (EACCES): a file without execute permission, or a folder. Still
 * TART_NOT_FOUND (CAL has no Tart to use), but saying "not found" about a file that is there sends people looking
 * in the wrong place.
 */
export function tartNotRunnable(path: string, isFolder: boolean, env: NodeJS.ProcessEnv = process.env): CalError {
  // A bare name is the first such file on PATH: named, so that "that file" is one the user can find.
  const file = path.includes('/') ? path : firstOnPath(path, env)
  const named = file !== null
  const where = file ? `"${file}"${file === path ? '' : ' (on PATH)'}` : `"${path}" on PATH`
  const pointAt = 'point CAL at the Tart executable with --tart PATH or CAL_TART (Settings → Tart path in the app)'
  if (isFolder) return new CalError('TART_NOT_FOUND', `The Tart path ${where} is a folder, not the Tart executable.`, `Instead, ${pointAt}.`, { tartPath: path })
  const chmod = named ? `chmod +x "${file}"` : 'chmod +x on that file'
  return new CalError('TART_NOT_FOUND', `Tart at ${where} exists but cannot be run (permission denied).`, `Make it executable (${chmod}), or ${pointAt}.`, { tartPath: path })
}

/**
 * The Tart path is a file, yet running it says "no such file" (ENOENT): a script whose first line names an
 * interpreter that is not there. Not "Tart was not found", which sends people to install what they have.
 */
export function tartInterpreterMissing(path: string, env: NodeJS.ProcessEnv = process.env): CalError | null {
  const file = path.includes('/') ? (existsSync(path) ? path : null) : firstOnPath(path, env)
  if (file === null) return null
  return new CalError(
    'TART_NOT_FOUND',
    `Tart at "${file}" exists but cannot be run: it is a script whose interpreter (its first line) is missing.`,
    'Reinstall Tart, or point CAL at the Tart executable with --tart PATH or CAL_TART (Settings → Tart path in the app).',
    { tartPath: path },
  )
}

/** The first entry called `name` in PATH's folders, whatever its permissions; null when there is none. */
function firstOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name)
  }
  return null
}
