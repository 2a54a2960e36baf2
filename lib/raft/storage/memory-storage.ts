/** The in-memory twins of a node's three stores, for tests and the simulator. */
import type { NodeStorage } from './file-storage.js';
import { MemoryLogStore } from './memory-log.js';
import { MemorySnapshotStore } from './memory-snapshots.js';
import type { SnapshotStoreOptions } from './snapshot-format.js';
import { MemoryStableStore } from './memory-stable.js';

export interface MemoryStorage extends NodeStorage {
  readonly log: MemoryLogStore;
  readonly stable: MemoryStableStore;
  readonly snapshots: MemorySnapshotStore;
}

export function openMemoryStorage(options: SnapshotStoreOptions = {}): MemoryStorage {
  const log = new MemoryLogStore();
  const stable = new MemoryStableStore();
  const snapshots = new MemorySnapshotStore(options);
  return {
    log,
    stable,
    snapshots,
    close: async () => {
      await Promise.all([log.close(), stable.close(), snapshots.close()]);
    },
  };
}
