import type { CommandHandlers } from '../../shared/api'
import { createVmService, VmService, type VmServiceDeps } from './service'

export { createVmService, VmService, type VmServiceDeps }

type VmHandlerNames =
  | 'app:status' | 'vms:list' | 'vms:unlisted' | 'vms:get' | 'vms:create' | 'vms:start' | 'vms:stop' | 'vms:restart' | 'vms:suspend'
  | 'vms:delete' | 'vms:sshCommand' | 'snapshots:list' | 'snapshots:create' | 'snapshots:restore' | 'snapshots:delete'
  | 'snapshots:rollback' | 'snapshots:diskUsage' | 'git:check' | 'tasks:list' | 'tasks:cancel'

const started = (s: { taskId: string }) => ({ taskId: s.taskId })
const restoring = (s: { taskId: string; snapshot: string }) => ({ taskId: s.taskId, snapshot: s.snapshot })

/** Binds the contract's channels to the service; inputs arrive parsed by the router. */
export function vmHandlers(svc: VmService): Pick<CommandHandlers, VmHandlerNames> {
  return {
    'app:status': () => svc.status(),
    'vms:list': () => svc.list(),
    'vms:unlisted': () => svc.unlisted(),
    'vms:get': ({ name }) => svc.get(name),
    'vms:create': async (input) => started(svc.create(input)),
    'vms:start': async ({ name }) => started(svc.start(name)),
    'vms:stop': async ({ name, force }) => started(svc.stop(name, force)),
    'vms:restart': async ({ name }) => started(svc.restart(name)),
    'vms:suspend': async ({ name }) => started(svc.suspend(name)),
    'vms:delete': async ({ name, force, confirmed, checkedAt }) => started(await svc.delete(name, force, confirmed, checkedAt)),
    'vms:sshCommand': async ({ name }) => ({ command: await svc.sshCommand(name) }),
    'snapshots:list': ({ vm }) => svc.listSnapshots(vm),
    'snapshots:create': async ({ vm, name, kind }) => started(svc.createSnapshot(vm, name, kind)),
    'snapshots:restore': async ({ vm, snapshot, confirmed, checkedAt }) => restoring(await svc.restoreSnapshot(vm, snapshot, confirmed, checkedAt)),
    'snapshots:delete': async ({ vm, snapshot }) => started(svc.deleteSnapshot(vm, snapshot)),
    'snapshots:rollback': async ({ vm, confirmed, checkedAt }) => restoring(await svc.rollback(vm, confirmed, checkedAt)),
    'snapshots:diskUsage': () => svc.diskUsage(),
    'git:check': ({ name }) => svc.checkGit(name),
    'tasks:list': async () => svc.tasks.list(),
    'tasks:cancel': async ({ id }) => {
      svc.tasks.cancel(id)
      return { ok: true as const }
    },
  }
}
