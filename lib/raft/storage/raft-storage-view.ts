/**
 * The core's RaftStorage over a LogStore, a StableStore and a SnapshotStore: the same view
 * serves the in-memory twins and the file stores.
 *
 * The snapshot store's newest snapshot is the compaction point the core sees through
 * snapshotMeta(); the log may keep entries before it (the driver compacts with some
 * trailing entries so slightly lagging followers need no snapshot). The view requires
 * the log to agree with the newest snapshot: after a crash between installing a snapshot
 * and resetting the log, run reconcileLogWithSnapshot() before creating the view.
 */
import { CompactedError, UnavailableError, type ConfState, type Entry, type HardState, type RaftStorage, type SnapshotMeta } from '../core/types.js';
import type { LogStore, SnapshotStore, StableStore } from './types.js';

const ZERO_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };
const EMPTY_CONF: ConfState = { voters: [], learners: [] };
const NO_SNAPSHOT: SnapshotMeta = { index: 0, term: 0, conf: EMPTY_CONF };

/**
 * `bootstrapConf`: the configuration a brand-new cluster starts with. It is used only when
 * the stores hold nothing (no entries, no snapshot); the core then writes it to the log as
 * committed entries. Pass it on every start if convenient: it is ignored afterwards.
 */
export function createRaftStorageView(log: LogStore, stable: StableStore, snapshots: SnapshotStore, bootstrapConf?: ConfState): RaftStorage {
  const problem = logSnapshotMismatch(log, snapshots);
  if (problem !== null) throw new Error(`raft storage: ${problem}; call reconcileLogWithSnapshot() first`);
  const checkBounds = (lo: number, hi: number): void => {
    if (lo < log.firstIndex()) throw new CompactedError(`index ${lo} is compacted (first index ${log.firstIndex()})`);
    if (hi > log.lastIndex() + 1) throw new UnavailableError(`index ${hi - 1} is past the last index ${log.lastIndex()}`);
  };
  return {
    initialState() {
      const hardState = stable.load() ?? ZERO_HARD_STATE;
      const snap = snapshots.latest();
      if (snap !== null) return { hardState, conf: snap.meta.conf };
      const fresh = log.lastIndex() === 0;
      return { hardState, conf: fresh && bootstrapConf !== undefined ? bootstrapConf : EMPTY_CONF };
    },
    entries(lo: number, hi: number, maxBytes: number): Entry[] {
      checkBounds(lo, hi);
      return log.entries(lo, hi, maxBytes);
    },
    term(index: number): number {
      if (index === log.firstIndex() - 1) return log.term(index);
      checkBounds(index, index + 1);
      return log.term(index);
    },
    firstIndex: () => log.firstIndex(),
    lastIndex: () => log.lastIndex(),
    snapshotMeta: () => snapshots.latest()?.meta ?? NO_SNAPSHOT,
    snapshotSize: () => snapshots.latest()?.size ?? 0,
    readSnapshot: (offset: number, maxBytes: number) => snapshots.readRaw(offset, maxBytes),
  };
}

/** Why the log does not continue the newest snapshot, or null when it does. */
export function logSnapshotMismatch(log: LogStore, snapshots: SnapshotStore): string | null {
  const snap = snapshots.latest();
  if (snap === null) return null;
  const { index, term } = snap.meta;
  if (log.firstIndex() - 1 > index) return `the log starts after the snapshot (${log.firstIndex()} > ${index + 1})`;
  if (log.lastIndex() < index) return `the log ends before the snapshot at ${index}`;
  if (log.term(index) !== term) return `the log's term at ${index} differs from the snapshot's`;
  return null;
}

/**
 * Makes the log continue the newest snapshot: if it does not (a crash between installing
 * a snapshot and resetting the log), the log restarts after the snapshot.
 */
export async function reconcileLogWithSnapshot(log: LogStore, snapshots: SnapshotStore): Promise<void> {
  const snap = snapshots.latest();
  if (snap === null || logSnapshotMismatch(log, snapshots) === null) return;
  await log.reset(snap.meta.index, snap.meta.term);
}
