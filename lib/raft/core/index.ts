/**
 * The pure Raft core. Create a node with createRaftNode(config) over a RaftStorage (for
 * example createRaftStorageView(log, stable, snapshots, bootstrapConf) from
 * lib/raft/storage) and drive it as below. raft.ts is the protocol; membership.ts
 * documents the configuration-change semantics (effective on append).
 *
 * Driving the core (one driver per node; every call is synchronous):
 *  - Inputs at any time: tick() every tick interval; step(m) for every message from a
 *    peer; propose(data), proposeConfChange(c), readIndex(ctx), transferLeadership(id).
 *  - Then, while hasReady(): rd = ready(), handle it in the order of the Ready contract
 *    (types.ts), then advance(). Only one Ready is outstanding at a time; while its fsync
 *    runs, keep stepping inputs into the core (they come out in the next Ready: that is
 *    the group commit). hasReady() is false while a Ready is outstanding.
 *  - rd.snapshot (a follower received one): store it (SnapshotStore.install), reset the
 *    LogStore to (meta.index, meta.term), rebuild the state machine from it; all before
 *    appending rd.entries.
 *  - Taking a snapshot: between advance() and the next ready(), write the state at the
 *    applied index with the configuration as of that index (track it by applying
 *    ConfChange entries with applyChange from membership.ts), commit it to the
 *    SnapshotStore, call snapshotTaken(meta), then compact the LogStore up to
 *    meta.index minus some trailing entries (the core serves lagging followers from the
 *    log while it can, and switches to the snapshot once they need compacted entries).
 *  - Restart: reconcileLogWithSnapshot(), restore the state machine from the newest
 *    snapshot, create the view and the node with `applied` = the snapshot's index; the
 *    core replays the log's ConfChange entries after the snapshot and hands out the
 *    committed entries after `applied` again.
 *  - A read: readIndex(ctx) on any node; when Ready.readStates holds ctx, serve it once
 *    the state machine applied up to its index. A read with no known leader, or pending
 *    on a leader that steps down, is dropped: time it out and retry.
 */
import { RawNode } from './raw-node.js';
import type { RaftConfig, RaftNode } from './types.js';

export * from './types.js';
export { encodeConfChange, decodeConfChange } from './conf-change-codec.js';
export { applyChange, validateChange } from './membership.js';
export { bootstrapEntries } from './bootstrap.js';
export { RawNode } from './raw-node.js';

export function createRaftNode(config: RaftConfig): RaftNode {
  return new RawNode(config);
}
