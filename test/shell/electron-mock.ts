// The one Electron mock for shell tests: `vi.mock('electron', () => import('./electron-mock'))`.
// The implementation is plain JavaScript (electron-fake.mjs) so the smoke test can load it under plain Node too.
export * from './electron-fake.mjs'
export { default } from './electron-fake.mjs'
