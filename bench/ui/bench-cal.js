// BENCH FIXTURE ONLY: a window.cal stand-in that hands the UI 200 VMs and 1,000 snapshots, so the
// benchmark measures rendering, not the engine. Served by bench/ui/serve.ts; never part of the app.
;(function () {
  const now = Date.now()
  const iso = (secondsAgo) => new Date(now - secondsAgo * 1000).toISOString()
  const STATES = ['running', 'stopped', 'stopped', 'suspended', 'stopped', 'error', 'starting', 'stopped']
  function makeVms(n, seed) {
    const vms = []
    for (let i = 0; i < n; i++) {
      const state = i < 2 ? 'running' : STATES[(i + seed) % STATES.length] === 'running' ? 'stopped' : STATES[(i + seed) % STATES.length]
      vms.push({
        name: 'workspace-' + String(i).padStart(3, '0'),
        state,
        role: 'workspace',
        os: 'darwin',
        cpu: 4,
        memoryMb: 8192,
        diskGb: 80,
        sizeGb: 20 + (i % 13),
        display: '1024x768',
        ip: state === 'running' ? '192.168.64.' + (i + 2) : null,
        baseImage: 'ghcr.io/cirruslabs/macos-sequoia-base:latest',
        agent: 'claude',
        createdAt: iso(86400 * (i % 30)),
        startedAt: state === 'running' ? iso(3600) : null,
        suspendable: state === 'running',
        lastSessionSnapshotAt: iso(1800 + seed),
        error: state === 'error' ? 'The guest stopped answering.' : null,
      })
    }
    return vms
  }
  const KINDS = ['manual', 'session', 'session', 'init']
  function makeSnapshots(vm, n) {
    const list = []
    for (let i = 0; i < n; i++) {
      list.push({ name: 'snap-' + String(i).padStart(4, '0'), vm, tartName: vm + '--snap-' + i, kind: KINDS[i % KINDS.length], createdAt: iso(i * 600), sizeGb: 0.5 + (i % 40) / 10 })
    }
    return list
  }
  const settings = {
    version: 1,
    vmDefaults: { cpu: 4, memoryMb: 8192, diskGb: 80, baseImage: 'ghcr.io/cirruslabs/macos-sequoia-base:latest' },
    snapshots: { autoAtSessionStart: true, keep: 3, maxAgeDays: 7 },
    defaultAgent: 'claude',
    workspaceAgents: {},
    ssh: { user: 'admin', password: 'admin', unlockKeychain: false },
    tartPath: '',
    proxyMode: 'auto',
    outputFolder: '',
    notifications: { enabled: true, kinds: {} },
    theme: 'light',
    showInDock: true,
  }
  const listeners = {}
  const ok = (value) => Promise.resolve({ ok: true, value })
  const vms = makeVms(200, 0)
  const snapshots = makeSnapshots(vms[0].name, 1000)
  const noop = () => ok({ ok: true })
  window.cal = {
    app: { status: () => ok({ tartFound: true, tartPath: '/bench/tart', tartVersion: 'bench', calHome: '/bench', runningMacVms: 2, macVmLimit: 2, platform: 'darwin', appVersion: 'bench' }) },
    vms: { list: () => ok(vms), get: ({ name }) => ok(vms.find((v) => v.name === name)) },
    snapshots: {
      list: ({ vm }) => ok(vm === vms[0].name ? snapshots : []),
      diskUsage: () => ok({ totalGb: 5000, freeGb: 900, vms: [{ name: vms[0].name, sizeGb: 20, snapshotsGb: 2500, snapshotCount: 1000 }] }),
    },
    tasks: { list: () => ok([]), cancel: noop },
    terminal: { list: () => ok([]), input() {}, resize() {}, ack() {} },
    settings: { get: () => ok({ settings, warning: null }), set: () => ok({ settings, warning: null }) },
    shell: { openExternal: noop },
    on(event, listener) {
      ;(listeners[event] ||= []).push(listener)
      return () => (listeners[event] = listeners[event].filter((l) => l !== listener))
    },
  }
  window.__bench = {
    emit: (event, payload) => (listeners[event] || []).forEach((l) => l(payload)),
    makeVms,
  }
})()
