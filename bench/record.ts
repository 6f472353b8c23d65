import { appendFileSync } from 'node:fs'

export interface Figure {
  /** `<area>.<figure>`, e.g. `engine.start_overhead_ms`. */
  bench: string
  value: number
  unit: string
  /** The goal, e.g. `<= 300`. */
  target: string
}

/** Appends one figure as a JSON line to the file bench/run.mjs collects (BENCH_OUT); without it, prints it. */
export function recordFigure(figure: Figure): void {
  const line = JSON.stringify({ ...figure, value: Math.round(figure.value * 1000) / 1000 })
  const out = process.env.BENCH_OUT
  if (out) appendFileSync(out, `${line}\n`)
  else console.log(line)
}
