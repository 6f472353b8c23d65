import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { build } from 'vite'

const here = fileURLToPath(new URL('.', import.meta.url))

/** Build the benchmark page (bench/terminal/page) into a temporary folder; returns that folder. */
export async function buildBenchPage(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'cal-bench-page-'))
  await build({
    root: resolve(here, 'page'),
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, sourcemap: false },
  })
  return outDir
}
