/**
 * The browser host's WebSocket, owned by a dedicated worker so that receiving bulk terminal output (Chromium's
 * per-frame socket and IPC work) happens off the page's main thread, which is left to xterm's parsing and
 * rendering. The worker is a plain pipe: connection policy (retries, failing calls in flight) stays in the page.
 *
 * page → worker: { t: 'connect', url } | { t: 'send', text } | { t: 'ready' }
 * worker → page: { t: 'open' } | { t: 'batch', items: (string | ArrayBuffer)[], closed: boolean }
 *
 * Frames are passed on in arrival order, in batches: one batch is in flight at a time, and what arrives while
 * the page is still busy with it waits here and goes as the next batch (ArrayBuffers are transferred, not
 * copied). A busy page thus takes one message per turn instead of one per frame. The page answers each batch
 * with 'ready'. `closed` says the socket closed after the batch's frames, so nothing is reordered around it.
 */
export type ToWorker = { t: 'connect'; url: string } | { t: 'send'; text: string } | { t: 'ready' }
export type FromWorker = { t: 'open' } | { t: 'batch'; items: (string | ArrayBuffer)[]; closed: boolean }

interface WorkerScope {
  onmessage: ((ev: MessageEvent<ToWorker>) => void) | null
  postMessage(message: FromWorker, transfer?: Transferable[]): void
}

const scope = self as unknown as WorkerScope
let socket: WebSocket | null = null
let queue: (string | ArrayBuffer)[] = []
let closed = false
let inFlight = false

function flush(): void {
  if (inFlight || (queue.length === 0 && !closed)) return
  const items = queue
  const batch: FromWorker = { t: 'batch', items, closed }
  queue = []
  closed = false
  inFlight = true
  scope.postMessage(batch, items.filter((x): x is ArrayBuffer => typeof x !== 'string'))
}

function connect(url: string): void {
  const ws = new WebSocket(url)
  ws.binaryType = 'arraybuffer'
  socket = ws
  ws.onopen = () => scope.postMessage({ t: 'open' })
  ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => {
    queue.push(ev.data)
    flush()
  }
  ws.onclose = () => {
    if (socket !== ws) return
    socket = null
    closed = true
    flush()
  }
}

scope.onmessage = ({ data: msg }) => {
  if (msg.t === 'send') {
    // A message raced with a close is dropped: the page fails whatever it was waiting for on 'close'.
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(msg.text)
  } else if (msg.t === 'ready') {
    inFlight = false
    flush()
  } else if (msg.t === 'connect') {
    connect(msg.url)
  }
}
