// Module resolution hook: `import 'electron'` resolves to the recording fake (test/shell/electron-fake.mjs).
const fakeUrl = new URL('../shell/electron-fake.mjs', import.meta.url).href

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: fakeUrl, shortCircuit: true }
  return nextResolve(specifier, context)
}
