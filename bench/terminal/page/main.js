// The benchmark page: the app's own terminal component and registry (window.__calMountTerminal,
// window.__calTerms) on the browser host's window.cal, without the rest of the UI. Plain JS so the
// node-side type check (which covers bench/) does not pull in DOM and JSX.
import '../../../src/renderer/src/terminal/TerminalView'
import { disposeTerm } from '../../../src/renderer/src/terminal/registry'

// Rounds of the throughput figure release their terminals (10,000 lines of scrollback each) as the app would.
window.__calDisposeTerm = disposeTerm
