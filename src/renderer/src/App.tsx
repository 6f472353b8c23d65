import { useEffect, useState } from 'react'
import type { HostStatus } from '../../shared/vm'

export function App() {
  const [status, setStatus] = useState<HostStatus | null>(null)
  useEffect(() => {
    void window.cal.app.status().then((r) => r.ok && setStatus(r.value))
  }, [])
  return (
    <main className="app-shell" aria-label="CAL">
      <h1>CAL</h1>
      <p data-testid="tart-status">{status ? (status.tartFound ? `Tart ${status.tartVersion}` : 'Tart not found') : 'Connecting…'}</p>
    </main>
  )
}
