import { resolve } from 'node:path'
import { builtinModules } from 'node:module'
import { defineConfig } from 'vite'
import pkg from './package.json' with { type: 'json' }

// Builds the plain-Node entry points (the `cal` CLI and the browser host) into out/.
const external = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies),
  'electron',
]

export default defineConfig({
  // `cal --version` and the browser host report the version in package.json.
  define: { __CAL_VERSION__: JSON.stringify(pkg.version) },
  resolve: { alias: { '@shared': resolve(import.meta.dirname, 'src/shared') } },
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out',
    emptyOutDir: false,
    minify: false,
    sourcemap: true,
    rollupOptions: {
      input: {
        'cli/cal': resolve(import.meta.dirname, 'src/cli/cal.ts'),
        'host/server': resolve(import.meta.dirname, 'src/host/server.ts'),
        // The browser host's window.cal: a browser module with no imports, served by the host (see src/host/static.ts).
        'host/client': resolve(import.meta.dirname, 'src/host/client/index.ts'),
        // Its WebSocket, in a worker: served beside the client (see src/host/static.ts).
        'host/socket-worker': resolve(import.meta.dirname, 'src/host/client/socket-worker.ts'),
      },
      external: (id) => external.some((e) => id === e || id.startsWith(`${e}/`)),
      output: {
        format: 'es',
        entryFileNames: '[name].js',
        banner: (chunk) => (chunk.name === 'cli/cal' ? '#!/usr/bin/env node' : ''),
        chunkFileNames: 'node-chunks/[name]-[hash].js',
      },
    },
  },
})
