import type { CommandHandlers, SendHandlers } from '../../shared/api'
import { TerminalService, type TerminalServiceDeps } from './service'

export { TerminalService, AGENT_TMUX_SESSION } from './service'
export type { TerminalEmit } from './base'

/** Build the terminal service; `emit` carries 'terminal:data' and 'terminal:state' (EngineEvents['emit'] fits). */
export function createTerminalService(deps: TerminalServiceDeps): TerminalService {
  return new TerminalService(deps)
}

export function terminalHandlers(
  svc: TerminalService,
): Pick<CommandHandlers, 'terminal:open' | 'terminal:list' | 'terminal:close' | 'terminal:forgetHostKey' | 'terminal:sessions' | 'terminal:endSession' | 'terminal:clearScrollback' | 'terminal:tail' | 'terminal:retry' | 'terminal:program'> {
  return {
    'terminal:open': (input) => svc.open(input),
    'terminal:list': async () => svc.list(),
    'terminal:close': async (input) => {
      await svc.close(input)
      return { ok: true as const }
    },
    'terminal:sessions': ({ name }) => svc.sessions(name),
    'terminal:endSession': async ({ vm, name }) => {
      await svc.endSession(vm, name)
      return { ok: true as const }
    },
    'terminal:tail': ({ id, lines, depths }) => svc.tail(id, lines, depths),
    'terminal:retry': async ({ id }) => ({ started: svc.retry(id) }),
    'terminal:program': async ({ id }) => ({ program: svc.foregroundProgram(id) }),
    'terminal:clearScrollback': async ({ id }) => {
      await svc.clearScrollback(id)
      return { ok: true as const }
    },
    'terminal:forgetHostKey': async ({ name }) => {
      await svc.forgetHostKey(name)
      return { ok: true as const }
    },
  }
}

/** Keystrokes, resizes and acknowledgements: one-way, never awaited. */
export function terminalSends(svc: TerminalService): SendHandlers {
  return {
    'terminal:input': (p) => svc.input(p),
    'terminal:resize': (p) => svc.resize(p),
    'terminal:ack': (p) => svc.ack(p),
    'terminal:bell': (p) => svc.bell(p.id),
    'terminal:redraw': (p) => svc.redraw(p.id, p.lead),
  }
}
