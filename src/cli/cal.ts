import { createEngine } from '../core/engine'

const engine = createEngine()
const status = await engine.handlers['app:status']({})
console.log(JSON.stringify(status, null, 2))
