import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseHostArgs, USAGE, type HostArgs } from './args'
import { createDemo, type Demo } from './demo'
import { startBrowserHost, type BrowserHost } from './host'

// out/host/server.js: the renderer is built next to it (out/renderer), the client beside it (out/host/client.js).
const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../..')
const log = (msg: string) => console.error(`[cal host] ${msg}`)

let args: HostArgs
try {
  args = parseHostArgs(process.argv.slice(2))
} catch (err) {
  console.error(`cal host: ${(err as Error).message}\n\n${USAGE}`)
  process.exit(64)
}
if (args.help) {
  console.log(USAGE)
  process.exit(0)
}

let demo: Demo | null = null
let host: BrowserHost | null = null
let stopping = false
// Installed before anything starts, so Ctrl+C during the demo's setup still stops what was started.
const shutdown = async (why: string, code = 0) => {
  if (stopping) return
  stopping = true
  log(`${why}: stopping`)
  await host?.close().catch((err: unknown) => log(`closing: ${String(err)}`))
  await demo?.stop().catch((err: unknown) => log(`stopping the demo: ${String(err)}`))
  process.exit(code)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal))
// A bug that escapes still stops the demo's VMs and removes its folders, instead of leaving them behind.
process.on('uncaughtException', (err) => {
  log(`unexpected error: ${err.stack ?? String(err)}`)
  void shutdown('unexpected error', 1)
})

try {
  if (args.demo) {
    demo = createDemo(repoRoot, log)
    await demo.start()
  }
  if (!stopping) {
    host = await startBrowserHost({
      port: args.port,
      calHome: args.calHome ?? demo?.calHome,
      tartPath: args.tartPath ?? demo?.tartPath,
      rendererDir: join(here, '../renderer'),
      clientFile: join(here, 'client.js'),
      log,
    })
    console.log(`CAL browser host: ${host.url}`)
    if (demo) log('demo: open the URL above in a browser; Ctrl+C stops the host and the simulated VMs')
  }
} catch (err) {
  console.error(`cal host: ${(err as Error).message}`)
  await demo?.stop().catch(() => {})
  process.exit(1)
}
