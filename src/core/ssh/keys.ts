import { chmod, readFile, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { CalError } from '../../shared/errors'
import { makeDirs } from '../store/make-dirs'

// ssh2 is CommonJS: `utils` is not detected as a named ESM export.
const { utils } = ssh2

export interface ClientKey {
  /** OpenSSH private key text, as stored in CAL_HOME/ssh/id_ed25519. */
  privateKey: string
  /** One authorized_keys line: "ssh-ed25519 AAAA… cal@host". */
  publicKey: string
  privateKeyPath: string
  /** This call generated the key (none was there): any VM that had CAL's previous key does not have this one. */
  created?: boolean
}

export function sshDir(calHome: string): string {
  return join(calHome, 'ssh')
}

export function clientKeyPath(calHome: string): string {
  return join(sshDir(calHome), 'id_ed25519')
}

export function knownHostsPath(calHome: string): string {
  return join(sshDir(calHome), 'known_hosts')
}

/** CAL_HOME/ssh, made 0700 if it is not (a folder that already is need not be writable to be checked). */
export async function ensureSshDir(calHome: string): Promise<string> {
  const dir = sshDir(calHome)
  try {
    await makeDirs(dir, 0o700)
    if (((await stat(dir)).mode & 0o777) !== 0o700) await chmod(dir, 0o700)
  } catch (err) {
    throw sshDirError(calHome, err)
  }
  return dir
}

/** CAL_HOME/ssh cannot be made, read or written (not writable, owned by another user, a read-only disk, full). */
export function sshDirError(calHome: string, err: unknown): CalError {
  if (err instanceof CalError) return err
  const e = err as NodeJS.ErrnoException
  const dir = sshDir(calHome)
  if (e.code === 'ENOSPC') return new CalError('DISK_FULL', `CAL could not write to its SSH folder ${dir}: the disk is full.`, 'Free some space on this Mac, then try again.', { path: dir })
  return new CalError('INTERNAL', `CAL cannot use its SSH folder ${dir}: ${e.message}.`, {
    cli: `Check that CAL_HOME (${calHome}) is a folder you can write to (cal doctor checks it), or point CAL_HOME at one that is.`,
    app: `Check that CAL_HOME (${calHome}) is a folder you can write to, or point CAL_HOME at one that is.`,
  }, {
    path: dir,
    cause: e.code ?? e.message,
  })
}

/**
 * CAL's own ed25519 key, generated on first use (never the user's ~/.ssh). The private key is kept 0600
 * so OpenSSH (`cal ssh`) accepts it too. The public half is always derived from the private key; a missing or
 * stale `.pub` (a crash between the two writes, a user's cleanup) is written again.
 */
export async function ensureClientKey(calHome: string): Promise<ClientKey> {
  await ensureSshDir(calHome)
  const privateKeyPath = clientKeyPath(calHome)
  const pubPath = `${privateKeyPath}.pub`
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await readFile(privateKeyPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null
      throw keyError(privateKeyPath, err.message)
    })
    if (existing !== null) {
      // OpenSSH refuses a private key others can read (`cal ssh`).
      try {
        if (((await stat(privateKeyPath)).mode & 0o077) !== 0) await chmod(privateKeyPath, 0o600)
      } catch (err) {
        throw sshDirError(calHome, err)
      }
      const publicKey = publicLine(privateKeyPath, existing)
      const pub = await readFile(pubPath, 'utf8').catch(() => null)
      if (pub?.trim() !== publicKey) await writeFile(pubPath, `${publicKey}\n`, { mode: 0o644 }).catch((err: unknown) => Promise.reject(sshDirError(calHome, err)))
      return { privateKey: existing, publicKey, privateKeyPath }
    }
    const pair = generateEd25519(`cal@${hostname()}`)
    // Flag 'wx' never overwrites a key another CAL process created a moment ago: that one is read instead.
    try {
      await writeFile(privateKeyPath, pair.private, { mode: 0o600, flag: 'wx' })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue
      throw sshDirError(calHome, err)
    }
    await writeFile(pubPath, `${pair.public.trim()}\n`, { mode: 0o644 }).catch((err: unknown) => Promise.reject(sshDirError(calHome, err)))
    return { privateKey: pair.private, publicKey: pair.public.trim(), privateKeyPath, created: true }
  }
  throw keyError(privateKeyPath, 'it keeps changing while CAL reads it')
}

/** The authorized_keys line for a private key ("ssh-ed25519 AAAA… comment"). */
function publicLine(path: string, privateKey: string): string {
  const parsed = utils.parseKey(privateKey)
  const key = Array.isArray(parsed) ? parsed[0] : parsed
  if (!key || key instanceof Error) throw keyError(path, key instanceof Error ? key.message : 'no key in it')
  return `${key.type} ${key.getPublicSSH().toString('base64')}${key.comment ? ` ${key.comment}` : ''}`
}

function keyError(path: string, why: string): CalError {
  return new CalError(
    'CAL_FILE_DAMAGED',
    `CAL's SSH key ${path} cannot be used: ${why}.`,
    {
      cli: `Restore it from a backup, or move it away: CAL then makes a new key, and each VM needs "cal ssh NAME --forget-host-key" to accept its password once more.`,
      app: `Restore it from a backup, or move it away: CAL then makes a new key, and each VM needs "Forget host key" to accept its password once more.`,
    },
    { path },
  )
}

/**
 * ssh2 1.17 writes an ed25519 public key whose first byte is zero as 31 bytes (the zero is dropped), about one key
 * in two hundred; neither ssh2 nor OpenSSH can read such a key back. Generate until the key parses.
 */
export function generateEd25519(comment: string): { private: string; public: string } {
  for (let i = 0; i < 20; i++) {
    const pair = utils.generateKeyPairSync('ed25519', { comment })
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair
  }
  throw new Error('Could not generate a valid ed25519 key.')
}
