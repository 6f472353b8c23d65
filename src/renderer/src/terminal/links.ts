/** Hosts that, printed inside a VM, mean the VM itself (a dev server's "http://localhost:3000"). */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '0.0.0.0', '[::1]', '[::]'])

/**
 * Where a link clicked in a terminal goes: web links only (http, https), and in a VM's terminal a loopback
 * address is the VM's, so it is pointed at the VM's IP (Tart VMs are reachable from the Mac at their address).
 * Null for anything CAL does not open.
 */
export function linkTarget(uri: string, vmIp: string | null): string | null {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
  if (vmIp && LOOPBACK.has(url.hostname)) url.hostname = vmIp.includes(':') ? `[${vmIp}]` : vmIp
  return url.toString()
}

/**
 * Whether a click on a link opens it: ⌘-click on macOS, Ctrl+click elsewhere, as in Terminal.app, iTerm2 and VS Code.
 * A plain click stays a click (focus, a selection, a program's mouse), never a page opening by surprise.
 */
export function clickOpensLink(event: { metaKey: boolean; ctrlKey: boolean }, mac: boolean): boolean {
  return mac ? event.metaKey : event.ctrlKey
}

/** What hovering a link says: where it goes and how to open it. */
export function linkTitle(url: string, mac: boolean): string {
  return `${url}\n${mac ? '⌘-click' : 'Ctrl+click'} to open`
}
