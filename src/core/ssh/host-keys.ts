import { createHash } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CalError } from '../../shared/errors'
import { withFileLock } from '../store/file-lock'
import { ensureSshDir, knownHostsPath, sshDirError, sshDir as sshDirOf } from './keys'

/** What CAL remembers per VM name: its pinned host key and whether CAL's key is installed there. */
export interface HostPin {
  keyType: string
  /** base64 of the SSH host key blob, as in known_hosts. */
  key: string
  fingerprint: string
  pinnedAt: string
  /** The known_hosts host spec last written for this VM ("127.0.64.2" or "[host]:2222"). */
  address: string | null
  /** Set once CAL's public key is in the guest's authorized_keys: from then on, key authentication only. */
  keyInstalled: boolean
}

interface PinFile {
  version: 1
  vms: Record<string, HostPin>
}

export type VerifyResult =
  | { ok: true; firstContact: boolean }
  | { ok: false; expected: string; actual: string }

/** SHA256 fingerprint exactly as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

/** The key type is the first SSH string in the blob ("ssh-ed25519", "ecdsa-sha2-nistp256", …). */
export function keyTypeOf(blob: Buffer): string {
  const len = blob.readUInt32BE(0)
  return blob.subarray(4, 4 + len).toString('latin1')
}

export function hostSpec(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

const COMMENT = 'cal-vm='

/**
 * Trust-on-first-use pins, keyed by VM name (IPs change between boots), mirrored into an OpenSSH-readable
 * known_hosts file (one line per VM: "ADDRESS TYPE KEY cal-vm=NAME") so `ssh -o UserKnownHostsFile=…
 * -o StrictHostKeyChecking=yes` works with the same trust. All writes go through one queue and an atomic rename.
 */
export class HostKeyStore {
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly calHome: string) {}

  private get pinPath(): string {
    return join(this.calHome, 'ssh', 'host-pins.json')
  }

  /** One change at a time: queued in this process, and under a lock file against other processes. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const locked = async () => {
      await ensureSshDir(this.calHome)
      // The lock file is made beside the pins: a folder CAL cannot write to fails here, and says so.
      return withFileLock(`${this.pinPath}.lock`, fn).catch((err: unknown) => {
        throw sshDirError(this.calHome, err)
      })
    }
    const run = this.queue.then(locked, locked)
    this.queue = run.catch(() => undefined)
    return run
  }

  async get(vm: string): Promise<HostPin | null> {
    return (await this.read()).vms[vm] ?? null
  }

  /** Compare a presented host key with the pin; pin it on first contact; keep known_hosts in step with the address. */
  verify(vm: string, host: string, port: number, blob: Buffer): Promise<VerifyResult> {
    return this.serial(async () => {
      const pins = await this.read()
      const key = blob.toString('base64')
      const address = hostSpec(host, port)
      const pin = pins.vms[vm]
      if (pin && pin.key !== key) return { ok: false, expected: pin.fingerprint, actual: fingerprint(blob) }
      const firstContact = !pin
      const next: HostPin = pin ?? {
        keyType: keyTypeOf(blob),
        key,
        fingerprint: fingerprint(blob),
        pinnedAt: new Date().toISOString(),
        address: null,
        keyInstalled: false,
      }
      // An address belongs to the VM seen there last: another VM that held it before no longer does.
      const previousHolders = Object.entries(pins.vms).filter(([name, p]) => name !== vm && p.address === address)
      for (const [, p] of previousHolders) p.address = null
      if (firstContact || next.address !== address || previousHolders.length > 0) {
        next.address = address
        pins.vms[vm] = next
        await this.write(pins)
      }
      return { ok: true, firstContact }
    })
  }

  markKeyInstalled(vm: string): Promise<void> {
    return this.serial(async () => {
      const pins = await this.read()
      const pin = pins.vms[vm]
      if (!pin || pin.keyInstalled) return
      pin.keyInstalled = true
      await this.write(pins)
    })
  }

  /** CAL's key may no longer be in the VM (its disk came from a snapshot): the password may be offered again. */
  markKeyMaybeMissing(vm: string): Promise<void> {
    return this.serial(async () => {
      const pins = await this.read()
      const pin = pins.vms[vm]
      if (!pin || !pin.keyInstalled) return
      pin.keyInstalled = false
      await this.write(pins)
    })
  }

  /** CAL's own key was made afresh (the old one was deleted): no VM has it yet, so each may be offered the password. */
  clientKeyReplaced(): Promise<void> {
    return this.serial(async () => {
      const pins = await this.read()
      const stale = Object.values(pins.vms).filter((pin) => pin.keyInstalled)
      if (stale.length === 0) return
      for (const pin of stale) pin.keyInstalled = false
      await this.write(pins)
    })
  }

  /** Forget the VM's host key (and the record of CAL's installed key): the next contact pins afresh, with the password. */
  forget(vm: string): Promise<void> {
    return this.serial(async () => {
      const pins = await this.read()
      delete pins.vms[vm]
      await this.write(pins)
    })
  }

  /**
   * The pins; none before the first contact. A damaged file is an error, never "no pins": read as empty, it would
   * trust whatever key each VM presents next and offer it the password again.
   */
  private async read(): Promise<PinFile> {
    let text: string
    try {
      text = await readFile(this.pinPath, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, vms: {} }
      throw this.damaged((err as Error).message)
    }
    let parsed: PinFile | null
    try {
      parsed = JSON.parse(text) as PinFile
    } catch (err) {
      throw this.damaged((err as Error).message)
    }
    if (parsed && parsed.version === 1 && parsed.vms && typeof parsed.vms === 'object') return parsed
    throw this.damaged('it is not a version 1 pin file')
  }

  private damaged(why: string): CalError {
    return new CalError(
      'CAL_FILE_DAMAGED',
      `CAL's pinned SSH host keys (${this.pinPath}) cannot be read: ${why}. CAL will not connect to a VM it cannot check.`,
      `Restore the file from a backup, or delete it: CAL then trusts each VM's key on its next contact and logs in with its password once more.`,
      { path: this.pinPath },
    )
  }

  /** Rewrites the pin map and regenerates known_hosts from it, keeping lines CAL did not write. */
  private async write(pins: PinFile): Promise<void> {
    try {
      await this.writeFiles(pins)
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      if (e.code === 'ENOSPC') throw new CalError('DISK_FULL', `CAL could not save SSH host keys in ${sshDirOf(this.calHome)}: the disk is full.`, 'Free some space on this Mac, then try again.')
      throw new CalError('INTERNAL', `CAL could not save SSH host keys in ${sshDirOf(this.calHome)}: ${e.message}.`, `Check that CAL_HOME (${this.calHome}) is writable, then try again.`)
    }
  }

  private async writeFiles(pins: PinFile): Promise<void> {
    await ensureSshDir(this.calHome)
    await atomicWrite(this.pinPath, `${JSON.stringify(pins, null, 2)}\n`)
    const khPath = knownHostsPath(this.calHome)
    let foreign: string[] = []
    try {
      foreign = (await readFile(khPath, 'utf8')).split('\n').filter((l) => l.trim() && !l.includes(` ${COMMENT}`))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const ours = Object.entries(pins.vms).filter(([, p]) => p.address)
    // An address belongs to the VM that holds it now; drop foreign lines that name one of ours.
    const taken = new Set(ours.map(([, p]) => p.address))
    foreign = foreign.filter((l) => !taken.has(l.split(/\s+/)[0] ?? ''))
    const lines = ours.map(([name, p]) => `${p.address} ${p.keyType} ${p.key} ${COMMENT}${name}`)
    await atomicWrite(khPath, [...foreign, ...lines].map((l) => `${l}\n`).join(''))
  }
}

async function atomicWrite(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, text, { mode: 0o600 })
  await rename(tmp, path)
}
