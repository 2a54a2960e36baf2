import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openFileSnapshots } from '../../lib/raft/storage/file-snapshots.js';
import { MemoryLogStore } from '../../lib/raft/storage/memory-log.js';
import { MemorySnapshotStore } from '../../lib/raft/storage/memory-snapshots.js';
import { MemoryStableStore } from '../../lib/raft/storage/memory-stable.js';
import type { LogStore, StableStore } from '../../lib/raft/storage/types.js';
import { logConformance, snapshotConformance, stableConformance } from './conformance.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'respraft-memconf-'));
let count = 0;
const nothingToClean = async (): Promise<void> => undefined;

logConformance({ name: 'memory log', fresh: async (): Promise<LogStore> => new MemoryLogStore(), cleanup: nothingToClean });
stableConformance({ name: 'memory hard state', fresh: async (): Promise<StableStore> => new MemoryStableStore(), cleanup: nothingToClean });
snapshotConformance(
  { name: 'memory snapshots', fresh: async () => new MemorySnapshotStore(), cleanup: async () => fs.rmSync(root, { recursive: true, force: true }) },
  async () => openFileSnapshots(path.join(root, String(++count))),
);
