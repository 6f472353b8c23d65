import { TerminalView } from '../terminal/TerminalView'

/** The one place the renderer mounts the SSH engineer's terminal view (src/renderer/src/terminal/). */
export function TerminalMount({ sessionId, active }: { sessionId: string; active: boolean }) {
  return <TerminalView sessionId={sessionId} active={active} />
}
