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
 *
 * Pipelined persistence (RaftConfig.asyncPersistence: true; etcd's AsyncStorageWrites):
 * advance() no longer waits for the fsync, so batch N+1 is replicated while batch N syncs.
 *  - For each Ready without a snapshot, before the next ready(): send
 *    messagesBeforePersist; append `entries` to the LogStore and save `hardState`, in
 *    Ready order (no fsync yet); put { persistTo, messages } at the tail of a FIFO; apply
 *    committedEntries (the core hands out only entries this node persisted) and read
 *    states; advance(). Then keep going while hasReady().
 *  - One fsync at a time (log sync, plus a synced hard-state save if any Ready it covers
 *    changed term or vote) covers every Ready written before it started. When it
 *    completes, walk the FIFO from the head over the Readys it covered, in order: send
 *    the Ready's messages, then call persisted(persistTo.index, persistTo.term) when
 *    persistTo is not null. A FIFO item whose persistTo is null (nothing to write) is
 *    sent as soon as everything before it was: its acks may promise entries of an
 *    earlier Ready. Never send a Ready's messages before every earlier Ready is durable.
 *  - A Ready with a snapshot comes only when no write is in flight (every persisted()
 *    was called); handle it whole as in the default mode, and call
 *    persisted(persistTo...) after its fsync and before advance() (advance() asserts it).
 *  - persisted() may make output (commit moves, an election is won): check hasReady().
 *  - Local snapshots and compaction are unchanged: they stop at the applied index, which
 *    never passes the persisted one. A crash loses what was not synced; restart as usual.
 *  - A stop waits for the fsync in flight; unsent held messages are simply dropped.
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
