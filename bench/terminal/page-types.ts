import type { CalApi } from '../../src/shared/api'

interface Disposable {
  dispose(): void
}

/** The slice of an xterm Terminal the benchmarks touch inside the page (typed without the DOM library). */
export interface PageTerm {
  cols: number
  rows: number
  write(data: string | Uint8Array, callback?: () => void): void
  input(data: string, wasUserInput?: boolean): void
  onTitleChange(listener: (title: string) => void): Disposable
  onRender(listener: () => void): Disposable
}

/** window in the benchmark page, as seen from page.evaluate (cast globalThis to this inside the callback). */
export interface PageWindow {
  cal: CalApi
  __calMountTerminal(sessionId: string | null): void
  __calDisposeTerm(sessionId: string): void
  __calTerms: { get(id: string): PageTerm | undefined }
  __bench?: Record<string, unknown>
}
