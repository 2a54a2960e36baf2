/**
 * The contract of the pure Raft core: what it reads (RaftStorage), what it is told
 * (Message, proposals, ticks) and what it hands back (Ready). The simulator, the storage
 * layer and the driver all build against these types; the core may add optional fields
 * but must not change the meaning of the ones here.
 *
 * Indexes and terms are plain numbers: safe up to 2^53, which at a million entries a
 * second is 285 years of log.
 */
import type { Rng } from '../../util/rng.js';

export type NodeId = string;

export const EntryKind = {
  /** Application data (possibly empty: the leader's no-op on election). */
  Normal: 0,
  /** A membership change; data is encodeConfChange(...) from the core. */
  ConfChange: 1,
} as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly kind: EntryKind;
  readonly data: Uint8Array;
}

/** What must be on stable storage before answering votes or acknowledging appends. */
export interface HardState {
  readonly term: number;
  /** The candidate voted for in `term`, or null. */
  readonly vote: NodeId | null;
  readonly commit: number;
}

export interface Member {
  readonly id: NodeId;
  /** Where peers and clients reach this node (host:port); opaque to the core. */
  readonly addr: string;
}

/** The cluster membership: voters decide; learners receive the log but do not vote. */
export interface ConfState {
  readonly voters: readonly Member[];
  readonly learners: readonly Member[];
}

export type ConfChangeOp =
  /** Add a node that replicates but does not vote. */
  | 'addLearner'
  /** Make an existing learner a voter. */
  | 'promote'
  /** Add a voter directly (bootstrap, tests). */
  | 'addVoter'
  /** Remove a voter or learner. */
  | 'remove';

export interface ConfChange {
  readonly op: ConfChangeOp;
  readonly id: NodeId;
  /** Required for addLearner / addVoter; ignored otherwise. */
  readonly addr: string;
}

export interface SnapshotMeta {
  /** The last log index the snapshot covers. */
  readonly index: number;
  readonly term: number;
  /** Membership as of `index`. */
  readonly conf: ConfState;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader' | 'learner';

/** Volatile state the driver may want to observe (changes are reported in Ready). */
export interface SoftState {
  readonly leader: NodeId | null;
  readonly role: Role;
}

/** The answer to readIndex(ctx): once `index` is applied locally, a read for `ctx` is linearizable. */
export interface ReadState {
  readonly index: number;
  readonly ctx: Uint8Array;
}

/**
 * A protocol message between cores. Every message carries from/to/term; the rest depends
 * on the type. Messages are msgpack-encoded by the transport, so fields must be plain
 * data (numbers, strings, booleans, Uint8Array, arrays, plain objects).
 */
export type MessageType =
  | 'app'
  | 'appResp'
  | 'vote'
  | 'voteResp'
  | 'preVote'
  | 'preVoteResp'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'snap'
  | 'snapResp'
  | 'timeoutNow'
  | 'readIndex'
  | 'readIndexResp'
  | 'transferLeader';

export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly logTerm?: number;
  readonly index?: number;
  readonly entries?: readonly Entry[];
  readonly commit?: number;
  readonly reject?: boolean;
  readonly rejectHint?: number;
  /** Read-index request context, or a campaign marker for leadership transfer. */
  readonly context?: Uint8Array;
  /** For 'snap': which snapshot this chunk belongs to. */
  readonly snapshot?: SnapshotMeta;
  /** For 'snap': a byte range of the snapshot's data. */
  readonly chunk?: SnapshotChunk;
}

export interface SnapshotChunk {
  readonly offset: number;
  readonly totalBytes: number;
  readonly data: Uint8Array;
}

/**
 * Everything the driver must do, in this order (the Ready contract, after etcd):
 *  1. install `snapshot` if present (persist it, restore the state machine from it);
 *  2. append `entries` and save `hardState` to stable storage, fsync when `mustSync`;
 *     `messagesBeforePersist` may be sent at any time before or during this step
 *     (the leader's appends to followers, so replication overlaps its own fsync);
 *  3. send `messages` (they promise what step 2 made durable: votes, append acks);
 *  4. apply `committedEntries` in order; answer `readStates` once applied >= their index;
 *  5. call advance().
 * With RaftConfig.asyncPersistence, step 2 only starts the writes, `messages` wait in a
 * FIFO until this Ready's and every earlier Ready's writes are durable, and persisted()
 * reports durability (index.ts describes the driver's side).
 */
export interface Ready {
  readonly softState: SoftState | null;
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
  readonly mustSync: boolean;
  readonly snapshot: { readonly meta: SnapshotMeta; readonly data: Uint8Array } | null;
  readonly committedEntries: readonly Entry[];
  readonly messagesBeforePersist: readonly Message[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
  /**
   * asyncPersistence mode only (null otherwise, and when mustSync is false): once this
   * Ready's entries and hard state, and every earlier Ready's, are durable, call
   * persisted(persistTo.index, persistTo.term). It names the log position this Ready
   * leaves the log at; two Readys may share it (a hard-state-only Ready), which is why
   * persisted() must be called once per such Ready, in order.
   */
  readonly persistTo?: { readonly index: number; readonly term: number } | null;
}

/**
 * The core's synchronous view of stable storage (etcd's raft.Storage). Implementations
 * hold the log since the last compaction in memory, so every call is cheap and pure from
 * the core's point of view. Index/term errors are reported with the exceptions below.
 */
export interface RaftStorage {
  initialState(): { hardState: HardState; conf: ConfState };
  /** Entries in [lo, hi), stopping early once maxBytes of data is reached (at least one entry). */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** Term of the entry at index; the snapshot's index answers with the snapshot's term. */
  term(index: number): number;
  /** Index of the first entry still available (snapshot index + 1). */
  firstIndex(): number;
  lastIndex(): number;
  /** The newest snapshot's metadata (index 0 and an empty conf when there is none). */
  snapshotMeta(): SnapshotMeta;
  /** Size in bytes of the newest snapshot's data. */
  snapshotSize(): number;
  /** Bytes [offset, offset + maxBytes) of the newest snapshot's data. */
  readSnapshot(offset: number, maxBytes: number): Uint8Array;
}

/** The entry is below the first available index (compacted into a snapshot). */
export class CompactedError extends Error {
  override name = 'CompactedError';
}

/** The entry is past the last index. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

export interface RaftConfig {
  readonly id: NodeId;
  readonly storage: RaftStorage;
  /** Index of the last entry applied to the state machine before this start. */
  readonly applied: number;
  /** Base election timeout in ticks; the real one is random in [electionTicks, 2*electionTicks). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly rng: Rng;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** Max bytes of entry data in one append message. */
  readonly maxMsgBytes: number;
  /** Max append messages in flight to one follower before waiting for acks. */
  readonly maxInflightMsgs: number;
  /** Size of the snapshot chunks sent to a follower. */
  readonly snapshotChunkBytes: number;
  /** Max snapshot chunks in flight to one follower. */
  readonly maxInflightSnapshotChunks: number;
  /** Max bytes of entry data handed out in one Ready's committedEntries (at least one entry); default 32 MiB. */
  readonly maxCommittedBytesPerReady?: number;
  /**
   * Pipelined persistence (etcd's AsyncStorageWrites, lite); default false. advance() then
   * means "handled", not "persisted": the next Ready may come while earlier ones are still
   * being written, and the driver reports durability with persisted(). See index.ts for
   * the driver's side of the contract.
   */
  readonly asyncPersistence?: boolean;
}

export interface Progress {
  readonly match: number;
  readonly next: number;
  readonly state: 'probe' | 'replicate' | 'snapshot';
  readonly recentActive: boolean;
  readonly learner: boolean;
}

export interface Status {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly role: Role;
  readonly leader: NodeId | null;
  readonly conf: ConfState;
  /** Only on the leader: one entry per other member. */
  readonly progress: ReadonlyMap<NodeId, Progress> | null;
  /** The node leadership is being handed to, if a transfer is in progress. */
  readonly transferee: NodeId | null;
}

/** Why a request to the core was refused; the driver turns these into client errors. */
export type ProposeResult =
  | { readonly ok: true; readonly index: number }
  | { readonly ok: false; readonly reason: 'notLeader' | 'transferring' | 'confChangeInProgress' | 'invalid'; readonly detail?: string };

/**
 * The node API (etcd's RawNode). All methods are synchronous and only mutate memory.
 */
export interface RaftNode {
  /** Advance logical time by one tick. */
  tick(): void;
  /** Deliver a message from a peer. Messages for other nodes or stale terms are handled as Raft says. */
  step(message: Message): void;
  /** Append application data as one new entry (leader only). */
  propose(data: Uint8Array): ProposeResult;
  /** Append a membership change (leader only; at most one uncommitted at a time). */
  proposeConfChange(change: ConfChange): ProposeResult;
  /** Ask for a linearizable read point; the answer arrives in Ready.readStates with the same ctx. */
  readIndex(ctx: Uint8Array): void;
  /** Hand leadership to `id` (leader only); id null picks the most up-to-date voter. */
  transferLeadership(id: NodeId | null): ProposeResult;
  /** Start an election now (tests, bootstrap of a single node). */
  campaign(): void;
  hasReady(): boolean;
  ready(): Ready;
  /**
   * Acknowledge the last Ready: everything in it was handled. In the default mode that
   * includes persisting it; with asyncPersistence it means its messagesBeforePersist were
   * sent, its messages queued, its writes started and its committed entries applied.
   */
  advance(): void;
  /**
   * asyncPersistence mode only: the writes of the Ready whose persistTo is (index, term),
   * and of every Ready before it, are durable (entries and hard state). Acknowledges the
   * oldest such Ready still waiting. Entries later replaced by a conflicting append that
   * is still being written are not marked (their replacement will be). Unknown positions
   * are ignored.
   */
  persisted?(index: number, term: number): void;
  /**
   * The state machine has a snapshot at `index` (<= applied) whose data the storage now
   * serves; the core may compact the log up to it and send it to lagging followers.
   */
  snapshotTaken(meta: SnapshotMeta): void;
  status(): Status;
  /** The commit index as this node knows it (status().commit without allocating). */
  commitIndex(): number;
}
