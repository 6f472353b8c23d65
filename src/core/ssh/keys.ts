import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'

// ssh2 is CommonJS: `utils` is not detected as a named ESM export.
const { utils } = ssh2

export interface ClientKey {
  /** OpenSSH private key text, as stored in CAL_HOME/ssh/id_ed25519. */
  privateKey: string
  /** One authorized_keys line: "ssh-ed25519 AAAA… cal@host". */
  publicKey: string
  privateKeyPath: string
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

export async function ensureSshDir(calHome: string): Promise<string> {
  const dir = sshDir(calHome)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await chmod(dir, 0o700)
  return dir
}

/**
 * CAL's own ed25519 key, generated on first use (never the user's ~/.ssh). The private key is kept 0600
 * so OpenSSH (`cal ssh`) accepts it too.
 */
export async function ensureClientKey(calHome: string): Promise<ClientKey> {
  await ensureSshDir(calHome)
  const privateKeyPath = clientKeyPath(calHome)
  const pubPath = `${privateKeyPath}.pub`
  try {
    const [privateKey, pub] = await Promise.all([readFile(privateKeyPath, 'utf8'), readFile(pubPath, 'utf8')])
    await chmod(privateKeyPath, 0o600)
    const parsed = utils.parseKey(privateKey)
    if (parsed instanceof Error) throw parsed
    return { privateKey, publicKey: pub.trim(), privateKeyPath }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const pair = generateEd25519(`cal@${hostname()}`)
  // flag 'wx' never overwrites a key another CAL process created a moment ago.
  try {
    await writeFile(privateKeyPath, pair.private, { mode: 0o600, flag: 'wx' })
    await writeFile(pubPath, `${pair.public}\n`, { mode: 0o644 })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return ensureClientKey(calHome)
  }
  return { privateKey: pair.private, publicKey: pair.public.trim(), privateKeyPath }
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
