import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startBrowserHost, type BrowserHost } from '../../src/host/host'
import { SshPool } from '../../src/core/ssh/pool'
import { createTerminalService, type TerminalService } from '../../src/core/terminal/handlers'
import { createSimHost, type SimHost, type SimVm } from '../../test/sim/harness'
import { launchBarePage, type BarePage } from './cdp'
import { buildBenchPage } from './page'
import type { PageWindow } from './page-types'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')

export interface Rig {
  sim: SimHost
  vm: SimVm
  calHome: string
  pool: SshPool
  /** The bench's own terminal service, on the host's event bus: its sessions travel host → WebSocket → page. */
  terminals: TerminalService
  host: BrowserHost
  page: BarePage
  close(): Promise<void>
}

/**
 * One simulated VM, the browser host (same router, WebSocket client and event fan-out as `npm run demo`)
 * serving a page that holds only CAL's terminal component, and Chromium on it. The bench opens raw command
 * terminals through its own TerminalService whose events go out through the host, and whose
 * input/resize/ack sends are chained in front of the engine's.
 */
export async function startRig(vmName: string): Promise<Rig> {
  const sim = await createSimHost()
  const cleanups: (() => Promise<unknown>)[] = [() => sim.cleanup()]
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined)
  }
  try {
    const vm = await sim.bootVm(vmName)
    const calHome = await mkdtemp(join(tmpdir(), 'cal-bench-home-'))
    cleanups.push(() => rm(calHome, { recursive: true, force: true }))
    const pageDir = await buildBenchPage()
    cleanups.push(() => rm(pageDir, { recursive: true, force: true }))
    process.env.TART_HOME = sim.tartHome
    const host = await startBrowserHost({
      calHome,
      tartPath: sim.tartPath,
      rendererDir: pageDir,
      clientFile: join(root, 'out/host/client.js'),
      log: () => undefined,
    })
    cleanups.push(() => host.close())
    const pool = new SshPool({
      calHome,
      resolveTarget: async () => ({ host: vm.ip, port: 22 }),
      credentials: () => ({ user: 'admin', password: 'admin', unlockKeychain: false }),
    })
    cleanups.push(() => pool.dispose())
    const events = host.engine.events
    const terminals = createTerminalService({ pool, emit: (e, p) => events.emit(e, p as never), calHome })
    cleanups.push(() => terminals.dispose())
    const sends = host.engine.sends
    const input = sends['terminal:input']
    const resize = sends['terminal:resize']
    const ack = sends['terminal:ack']
    sends['terminal:input'] = (p) => (terminals.input(p), input(p))
    sends['terminal:resize'] = (p) => (terminals.resize(p), resize(p))
    sends['terminal:ack'] = (p) => (terminals.ack(p), ack(p))
    const page = await launchBarePage({
      executablePath: process.env.CAL_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      width: 1280,
      height: 800,
    })
    cleanups.push(() => page.close())
    await page.goto(host.url)
    await page.waitForFunction(() => {
      const w = globalThis as unknown as Partial<PageWindow>
      return typeof w.__calMountTerminal === 'function' && !!w.cal
    })
    return { sim, vm, calHome, pool, terminals, host, page, close }
  } catch (err) {
    await close()
    throw err
  }
}
