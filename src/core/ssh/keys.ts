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
  const pair = utils.generateKeyPairSync('ed25519', { comment: `cal@${hostname()}` })
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
