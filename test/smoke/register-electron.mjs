// `node --import ./test/smoke/register-electron.mjs ...`: stands the electron fake in for `electron`,
// for ES `import` (a module.register hook) and for CommonJS `require` (Module._resolveFilename).
import Module, { register } from 'node:module'
import { fileURLToPath } from 'node:url'

register('./electron-hooks.mjs', import.meta.url)

const fakePath = fileURLToPath(new URL('../shell/electron-fake.mjs', import.meta.url))
const original = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  if (request === 'electron') return fakePath
  return original.call(this, request, ...rest)
}
