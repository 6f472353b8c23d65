#!/usr/bin/env node
// Runs every benchmark (bench/*.bench.test.ts) and prints one JSON object per line and per figure:
// {"bench": "<area>.<figure>", "value": <number>, "unit": "<unit>", "target": "<goal>"}.
// The runners' own chatter goes to stderr so stdout stays machine-readable.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const files = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.test.ts'))
if (files.length === 0) {
  console.error('No benchmarks yet: nothing to measure.')
  process.exit(0)
}
if (!existsSync(join(root, 'out/renderer/index.html'))) {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] })
}
const dir = mkdtempSync(join(tmpdir(), 'cal-bench-'))
const out = join(dir, 'figures.jsonl')
const only = process.argv.slice(2)
const result = spawnSync(
  'npx',
  ['vitest', 'run', '--config', 'bench/vitest.bench.config.ts', ...only],
  { cwd: root, env: { ...process.env, BENCH_OUT: out }, stdio: ['ignore', process.stderr, process.stderr] },
)
const lines = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []
for (const line of lines) console.log(line)
rmSync(dir, { recursive: true, force: true })
if (result.status !== 0) {
  console.error(`Some benchmarks failed (exit ${result.status}); the figures above are the ones that completed.`)
  process.exit(result.status ?? 1)
}
