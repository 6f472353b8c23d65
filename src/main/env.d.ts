/** What vite writes into the main bundle at build time (see dev-build.ts). */
interface ImportMeta {
  readonly env: { readonly DEV: boolean }
}
