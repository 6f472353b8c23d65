import { access, constants, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CalError, type ErrorCode } from '../../shared/errors'
import { TartDriver } from '../tart/driver'
import { freeBytes, type FreeSpace } from './disk'
import { fileInTheWay, makeDirs } from '../store/make-dirs'

export interface DoctorCheck {
  id: string
  level: 'ok' | 'warn' | 'fail'
  message: string
  /** What to do about it; empty when level is ok. */
  fix: string
  /** The error behind a failed check, when there is one (TART_NOT_FOUND: `cal doctor` exits 8, as every verb does). */
  code?: ErrorCode
}

export interface DoctorReport {
  ok: boolean
  checks: DoctorCheck[]
}

/** `cal doctor`: Tart found and its version, CAL_HOME writable, CAL's SSH key, disk space, platform. */
export async function runDoctor(opts: { calHome: string; tartPath?: string; env?: NodeJS.ProcessEnv; freeSpace?: FreeSpace; platform?: string; arch?: string }): Promise<DoctorReport> {
  const checks: DoctorCheck[] = []
  const add = (id: string, level: DoctorCheck['level'], message: string, fix = '', code?: ErrorCode) => checks.push({ id, level, message, fix, ...(code ? { code } : {}) })
  const platform = opts.platform ?? process.platform
  const arch = opts.arch ?? process.arch

  if (platform === 'darwin' && arch === 'arm64') add('platform', 'ok', 'Apple Silicon Mac')
  else add('platform', 'warn', `This is ${platform}/${arch}; Tart runs macOS VMs only on Apple Silicon Macs.`, 'Use CAL on an Apple Silicon Mac (or a simulated Tart for development).')

  const tart = new TartDriver({ tartPath: opts.tartPath, env: opts.env })
  try {
    const v = await tart.version({ timeoutMs: 10_000 })
    const [major = 0, minor = 0] = v.split('.').map((n) => Number.parseInt(n, 10))
    // Another program by that name (every other verb then fails on its output): not an old Tart to upgrade.
    if (!/^\d+\.\d+/.test(v)) {
      const shown = v.length > 60 ? `${v.slice(0, 60)}…` : v
      add('tart', 'fail', `${tart.path} does not look like Tart: \`${tart.path} --version\` printed "${shown}", not a version.`, 'Point CAL at Tart (Settings → Tart path, CAL_TART or --tart), or install it with `brew install cirruslabs/cli/tart`.', 'TART_NOT_FOUND')
    } else if (major > 2 || (major === 2 && minor >= 8)) add('tart', 'ok', `Tart ${v} at ${tart.path}`)
    else add('tart', 'warn', `Tart ${v} at ${tart.path} is old; CAL is tested with Tart 2.8 and newer.`, 'Upgrade with `brew upgrade cirruslabs/cli/tart`.')
  } catch (err) {
    const e = CalError.from(err)
    // TART_NOT_FOUND says itself what is wrong: missing, or there but not runnable (and then the fix is chmod).
    add('tart', 'fail', e.code === 'TART_NOT_FOUND' ? e.message : `Tart did not answer: ${e.message}`, e.hint, e.code)
  }

  let homeOk = false
  try {
    // CAL_HOME itself, or a folder above it, may be a file: named, rather than a raw "ENOTDIR … stat" of the path.
    const file = fileInTheWay(opts.calHome)
    if (file) throw Object.assign(new Error(`${file} is a file, not a folder`), { code: 'ENOTDIR', file })
    await makeDirs(opts.calHome)
    const probe = join(opts.calHome, `.doctor-${process.pid}`)
    await writeFile(probe, 'ok')
    await rm(probe, { force: true })
    add('cal-home', 'ok', `CAL_HOME ${opts.calHome} is writable`)
    homeOk = true
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { file?: string }
    add('cal-home', 'fail', `CAL_HOME ${opts.calHome} is not writable: ${e.message}`, calHomeFix(e.code, e.file))
  }

  const key = join(opts.calHome, 'ssh', 'id_ed25519')
  try {
    await access(key, constants.R_OK)
    const mode = (await stat(key)).mode & 0o777
    if (mode & 0o077) add('ssh-key', 'warn', `CAL's SSH key ${key} is readable by others (mode ${mode.toString(8)}).`, `Run \`chmod 600 ${key}\`.`)
    else add('ssh-key', 'ok', `CAL's SSH key ${key}`)
  } catch {
    // Where CAL_HOME itself cannot be written, its check above already says what to fix first.
    if (homeOk) add('ssh-key', 'ok', `CAL's SSH key will be created at ${key} on the first connection`)
  }

  const free = await (opts.freeSpace ?? freeBytes)(tart.home)
  if (free === null) add('disk', 'warn', `Cannot read free space for ${tart.home}.`, '')
  else if (free < 30e9) add('disk', 'warn', `Only ${(free / 1e9).toFixed(1)} GB free for Tart (${tart.home}); a macOS image needs about 30–50 GB.`, 'Free some space, or delete old snapshots with `cal snapshot delete`.')
  else add('disk', 'ok', `${(free / 1e9).toFixed(1)} GB free for Tart (${tart.home})`)

  return { ok: checks.every((c) => c.level !== 'fail'), checks }
}

/** What to do about a CAL_HOME that cannot be written, by the error's code. */
function calHomeFix(code: string | undefined, file?: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'Free some space on its disk, or point CAL_HOME at a folder on another one.'
  if (file) return `Move the file ${file} away, or point CAL_HOME at a folder.`
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'A file is in the way: move it, or point CAL_HOME at a folder.'
  if (code === 'EROFS') return 'Its disk is read-only: point CAL_HOME at a folder on a writable disk.'
  if (code === 'ENOENT') return 'That folder cannot be made there: point CAL_HOME at a folder in your home, such as ~/.cal.'
  return 'Fix its permissions, or point CAL_HOME at a writable directory.'
}
