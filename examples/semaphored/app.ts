/**
 * semaphored: fault-tolerant counting semaphores (a mutex is capacity 1) over Raft.
 * Waiting happens in the server, in a replicated FIFO queue; every decision (grant,
 * lease end, time-out, lock-delay) is a transition on replicated time, so a failover
 * neither resets nor extends anything. See README.md for the commands and rules.
 */
import { defineApp, type App } from '../../lib/framework/app.js';
import { semAcquire, semWait } from './commands/acquire.js';
import { semCreate, semDelete } from './commands/create.js';
import { semCancel, semRelease, semRenew, semRevoke } from './commands/holding.js';
import { semCheck, semHolders, semInfo, semScan, semTime, semWaiters } from './commands/inspect.js';
import { resolveLimits, type SemLimits } from './limits.js';
import { restoreState, snapshotState } from './snapshot.js';
import { specs } from './specs.js';
import { SemState } from './state.js';
import { tick } from './timers.js';

export const SEMAPHORED_VERSION = '0.1.0';

/** Every node of a cluster must be built with the same limits: they decide transitions. */
export function createSemaphoredApp(overrides: Partial<SemLimits> = {}): App<SemState> {
  const limits = resolveLimits(overrides);
  return defineApp<SemState>({
    name: 'semaphored',
    version: SEMAPHORED_VERSION,
    initialData: () => new SemState(limits),
    snapshot: (data) => snapshotState(data),
    restore: (batches) => restoreState(batches, limits),
    tick,
    keyspace: (data) => (data.sems.size === 0 ? [] : [[0, data.sems.size]]),
  })
    .addWriteCommand('sem.create', specs.create, semCreate)
    .addWriteCommand('sem.acquire', specs.acquire, semAcquire)
    .addWriteCommand('sem.wait', specs.wait, semWait)
    .addWriteCommand('sem.release', specs.release, semRelease)
    .addWriteCommand('sem.signal', specs.signal, semRelease)
    .addWriteCommand('sem.renew', specs.renew, semRenew)
    .addWriteCommand('sem.cancel', specs.cancel, semCancel)
    .addWriteCommand('sem.revoke', specs.revoke, semRevoke)
    .addWriteCommand('sem.delete', specs.delete, semDelete)
    .addReadCommand('sem.check', specs.check, semCheck)
    .addReadCommand('sem.info', specs.info, semInfo)
    .addReadCommand('sem.holders', specs.holders, semHolders)
    .addReadCommand('sem.waiters', specs.waiters, semWaiters)
    .addReadCommand('sem.scan', specs.scan, semScan)
    .addReadCommand('sem.time', specs.time, semTime);
}

export const semaphoredApp = createSemaphoredApp();
