/**
 * The durable side of a node (after hashicorp/raft's LogStore, StableStore and
 * SnapshotStore). Each interface has an in-memory twin and a file implementation; one
 * conformance suite runs against both. The driver writes through these; the core reads
 * through a RaftStorage view made from them (see raft-storage-view.ts).
 */
import type { Entry, HardState, SnapshotMeta } from '../core/types.js';

/**
 * The replicated log since the last snapshot. Reads are synchronous and served from
 * memory; appends are buffered and made durable together by sync() (group commit).
 */
export interface LogStore {
  /** Index of the first entry held (the compaction point + 1); lastIndex() + 1 when empty. */
  firstIndex(): number;
  /** Index of the last entry held, or the compaction point when empty. */
  lastIndex(): number;
  /** Term at index; the compaction point answers with its term. Throws CompactedError / UnavailableError. */
  term(index: number): number;
  /** Entries in [lo, hi), stopping once maxBytes of data is reached (always at least one). */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /**
   * Appends entries, which must be contiguous. If entries[0].index <= lastIndex(), the
   * held suffix from that index on is discarded first (a follower's conflict). Visible to
   * reads at once; durable after the next sync().
   */
  append(entries: readonly Entry[]): void;
  /** Makes everything appended so far durable with one fsync (none with `nosync`). */
  sync(): Promise<void>;
  /** Drops entries up to and including `index`, whose term is `term`; deletes covered segments. */
  compact(index: number, term: number): Promise<void>;
  /** Drops every entry: the log restarts after (index, term), as after installing a snapshot. */
  reset(index: number, term: number): Promise<void>;
  /** Bytes held on disk (or in memory, for the twin). */
  sizeBytes(): number;
  close(): Promise<void>;
}

/** Term, vote and commit: replaced atomically as one record. */
export interface StableStore {
  /** The last saved state, or null on a fresh node. */
  load(): HardState | null;
  /**
   * Replaces the saved state atomically. With sync the call resolves after it is durable;
   * without, it may be lost on a crash (used for commit-only changes, which Raft can
   * relearn from the leader).
   */
  save(state: HardState, options: { readonly sync: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface SnapshotInfo {
  readonly meta: SnapshotMeta;
  /** Size of the snapshot's data in bytes. */
  readonly size: number;
  /** Wall-clock ms when it was written (information only). */
  readonly createdAtMs: number;
}

/**
 * Writes one snapshot: a stream of msgpack-encoded batches, each framed with its length
 * and CRC32. Nothing is visible until commit() has fsynced and renamed it into place.
 */
export interface SnapshotWriter {
  /** Encodes and appends one batch (any msgpack-encodable value). */
  writeBatch(batch: unknown): void;
  /** Bytes written so far. */
  bytesWritten(): number;
  /** Makes the snapshot durable and the newest; prunes old ones beyond the retention count. */
  commit(): Promise<SnapshotInfo>;
  /** Throws the partial snapshot away. */
  abort(): Promise<void>;
}

export interface SnapshotStore {
  create(meta: SnapshotMeta): SnapshotWriter;
  /**
   * Stores a snapshot received from the leader as raw bytes (the same bytes readRaw
   * serves on the sender). Verifies every frame's CRC before making it the newest.
   */
  install(meta: SnapshotMeta, data: Uint8Array): Promise<SnapshotInfo>;
  /** The newest snapshot, or null. */
  latest(): SnapshotInfo | null;
  /** All retained snapshots, newest first. */
  list(): SnapshotInfo[];
  /** Raw bytes [offset, offset + maxBytes) of the newest snapshot's data (for sending in chunks). */
  readRaw(offset: number, maxBytes: number): Uint8Array;
  /** Decodes the newest snapshot's batches in order, verifying each frame's CRC. */
  readBatches(): Iterable<unknown>;
  close(): Promise<void>;
}

/** Raised at open when stored data is damaged anywhere but a torn tail; names the file and offset. */
export class CorruptionError extends Error {
  override name = 'CorruptionError';
  constructor(
    readonly file: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`corrupt data in ${file} at offset ${offset}: ${detail}`);
  }
}
