import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openFileSnapshots } from '../../lib/raft/storage/file-snapshots.js';
import { MemorySnapshotStore } from '../../lib/raft/storage/memory-snapshots.js';
import { snapshotConformance } from './conformance.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'respraft-memconf-'));
let count = 0;

snapshotConformance(
  { name: 'memory snapshots', fresh: async () => new MemorySnapshotStore(), cleanup: async () => fs.rmSync(root, { recursive: true, force: true }) },
  async () => openFileSnapshots(path.join(root, String(++count))),
);
