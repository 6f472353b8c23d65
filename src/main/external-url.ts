import type { CommandHandlers } from '../shared/api'
import { CalError } from '../shared/errors'

/**
 * The only schemes CAL hands to the OS: web pages (a dev server in the VM prints plain http) and Screen Sharing.
 * Everything else (file:, smb:, custom app schemes) could open files or launch arbitrary apps.
 */
export const EXTERNAL_SCHEMES: readonly string[] = ['https:', 'http:', 'vnc:']

/** The parsed URL when CAL may open it; FORBIDDEN otherwise. Checks the scheme only: see checkOpenableUrl. */
export function checkExternalUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new CalError('INVALID_INPUT', `"${raw}" is not a URL.`, 'Use a full http://, https:// or vnc:// address.', { field: 'url' })
  }
  if (!EXTERNAL_SCHEMES.includes(url.protocol)) {
    throw new CalError('FORBIDDEN', `CAL does not open ${url.protocol} links.`, 'Only web (http://, https://) and Screen Sharing (vnc://) addresses can be opened from CAL.', {
      field: 'url',
    })
  }
  return url
}

/** The addresses of CAL's VMs as the engine knows them now (null for a VM without one). */
export type VmAddresses = () => Promise<Iterable<string | null>>

/** The engine's own answer: the IPs `vms:list` reports (read from Tart each time, never a page's word). */
export function vmAddressesFrom(handlers: Pick<CommandHandlers, 'vms:list'>): VmAddresses {
  return async () => (await handlers['vms:list']({})).map((vm) => vm.ip)
}

/** "[::1]" → "::1": URL keeps the brackets of an IPv6 host, Tart reports the bare address. */
const bareHost = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase()

/**
 * checkExternalUrl, and for vnc:// also the host: Screen Sharing connects only to one of CAL's own VMs, so a page
 * (or a link printed in a terminal) cannot make the Mac open a screen-sharing session with any other machine.
 * The host must be the VM's address exactly as Tart reports it, with no user name or password in the URL.
 */
export async function checkOpenableUrl(raw: string, vmAddresses: VmAddresses): Promise<URL> {
  const url = checkExternalUrl(raw)
  if (url.protocol !== 'vnc:') return url
  const forbidden = (why: string) =>
    new CalError('FORBIDDEN', `CAL opens Screen Sharing only with its own VMs: ${why}.`, 'Use Screen Sharing from a running VM in CAL (its overview or the menu-bar icon).', {
      field: 'url',
    })
  if (url.username || url.password) throw forbidden('a vnc:// address with a user name or password is not one CAL makes')
  const host = bareHost(url.hostname)
  if (!host) throw forbidden('the address names no host')
  const known = await vmAddresses().catch((err: unknown) => {
    throw new CalError('FORBIDDEN', 'CAL could not check that this is one of its VMs.', `${CalError.from(err).message} Try again once CAL lists its VMs.`, { field: 'url' })
  })
  for (const ip of known) if (ip && bareHost(ip) === host) return url
  throw forbidden(`${host} is not the address of a running CAL VM`)
}
