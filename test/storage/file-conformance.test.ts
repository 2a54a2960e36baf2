import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openFileLog } from '../../lib/raft/storage/file-log.js';
import { openFileSnapshots } from '../../lib/raft/storage/file-snapshots.js';
import { openFileStable } from '../../lib/raft/storage/file-stable.js';
import { MemorySnapshotStore } from '../../lib/raft/storage/memory-snapshots.js';
import type { LogStore, SnapshotStore, StableStore } from '../../lib/raft/storage/types.js';
import { logConformance, snapshotConformance, stableConformance, type StoreFactory } from './conformance.js';

/** A factory whose stores live in fresh temp directories, remembered per store for reopen. */
function fileFactory<S extends { close(): Promise<void> }>(name: string, open: (dir: string) => S): StoreFactory<S> {
  const dirs = new Map<S, string>();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `respraft-${name.replace(/\W+/g, '-')}-`));
  let count = 0;
  return {
    name,
    fresh: async () => {
      const dir = path.join(root, String(++count));
      const store = open(dir);
      dirs.set(store, dir);
      return store;
    },
    reopen: async (store) => {
      const dir = dirs.get(store)!;
      await store.close();
      const reopened = open(dir);
      dirs.set(reopened, dir);
      return reopened;
    },
    cleanup: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

// Small segments so the cases cross segment boundaries and compaction deletes files.
logConformance(fileFactory<LogStore>('file log', (dir) => openFileLog(dir, { segmentBytes: 4096 })));
logConformance(fileFactory<LogStore>('file log, nosync', (dir) => openFileLog(dir, { segmentBytes: 4096, sync: false })));
stableConformance(fileFactory<StableStore>('file hard state', (dir) => openFileStable(dir)));
snapshotConformance(
  fileFactory<SnapshotStore>('file snapshots', (dir) => openFileSnapshots(dir)),
  async () => new MemorySnapshotStore(),
);
