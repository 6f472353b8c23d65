import { createServer, type Server } from 'node:http'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.woff2': 'font/woff2' }

/**
 * Serves the built renderer on 127.0.0.1 with the bench fixture's window.cal placed before the app's module
 * script (same origin, so the app's CSP allows it). Bench use only.
 */
export async function serveRenderer(rendererDir: string, fixtureFile: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://bench').pathname
      try {
        if (path === '/bench-cal.js') {
          res.writeHead(200, { 'content-type': TYPES['.js']! })
          return res.end(await readFile(fixtureFile))
        }
        const rel = normalize(path === '/' ? 'index.html' : path.slice(1))
        if (rel.startsWith('..')) throw Object.assign(new Error('outside'), { code: 'ENOENT' })
        const file = join(rendererDir, rel)
        let body: Buffer | string = await readFile(file)
        if (rel === 'index.html') body = body.toString().replace('</title>', '</title>\n    <script src="/bench-cal.js"></script>')
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
        res.end(body)
      } catch {
        res.writeHead(404).end()
      }
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) }
}
