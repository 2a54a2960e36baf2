/**
 * The bytes of a snapshot's data, shared by the in-memory and the file store so both
 * serve identical bytes through readRaw() and accept each other's through install():
 * a sequence of frames (see framing.ts), each holding one msgpack-encoded batch.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import type { SnapshotMeta } from '../core/types.js';
import { assert } from '../../util/assert.js';
import { FrameReader, encodeFrame, scanFrames } from './framing.js';
import { functionOption, intOption, rejectUnknownOptions } from './options.js';
import { CorruptionError } from './types.js';
import type { SnapshotInfo, SnapshotWriter } from './types.js';

/** Options of both snapshot stores. */
export interface SnapshotStoreOptions {
  /** How many snapshots to keep (newest first); older ones are deleted on commit/install. Default 3, at least 1. */
  readonly retain?: number;
  /** Largest encoded batch (one frame) accepted when writing, installing or reading. Default 64 MiB. */
  readonly maxBatchBytes?: number;
  /** Clock for SnapshotInfo.createdAtMs (information only); the simulator injects its own. Default Date.now. */
  readonly nowMs?: () => number;
}

export interface ResolvedSnapshotOptions {
  readonly retain: number;
  readonly maxBatchBytes: number;
  readonly nowMs: () => number;
}

export const SNAPSHOT_OPTION_NAMES = ['retain', 'maxBatchBytes', 'nowMs'] as const;

export function resolveSnapshotOptions(owner: string, options: SnapshotStoreOptions, extraNames: readonly string[] = []): ResolvedSnapshotOptions {
  rejectUnknownOptions(owner, options, [...SNAPSHOT_OPTION_NAMES, ...extraNames]);
  return {
    retain: intOption(owner, 'retain', options.retain, 3, 1, 1000),
    maxBatchBytes: intOption(owner, 'maxBatchBytes', options.maxBatchBytes, 64 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    nowMs: functionOption(owner, 'nowMs', options.nowMs, Date.now),
  };
}

/** Encodes batches into frames, reusing one msgpack encoder. */
export class BatchFramer {
  private readonly encoder = new Encoder();

  constructor(private readonly maxBatchBytes: number) {}

  frame(batch: unknown): Uint8Array {
    const payload = this.encoder.encodeSharedRef(batch);
    if (payload.length > this.maxBatchBytes) {
      throw new RangeError(`snapshot batch of ${payload.length} bytes is over maxBatchBytes (${this.maxBatchBytes}); write smaller batches`);
    }
    return encodeFrame(payload);
  }
}

/** Checks that `data` is whole frames with good CRCs; `source` names it in the error. */
export function verifySnapshotData(data: Uint8Array, maxBatchBytes: number, source: string): void {
  const end = scanFrames(data, 0, data.length, maxBatchBytes, () => undefined);
  if (end.kind !== 'clean') throw new CorruptionError(source, end.offset, end.reason);
}

/** A msgpack decoder whose length limits stop a damaged or hostile batch early. */
export function batchDecoder(maxBatchBytes: number): Decoder {
  return new Decoder({
    maxStrLength: maxBatchBytes,
    maxBinLength: maxBatchBytes,
    maxArrayLength: maxBatchBytes,
    maxMapLength: maxBatchBytes,
    maxExtLength: maxBatchBytes,
  });
}

/**
 * Decodes the batches of snapshot data read in blocks by `readBlock(offset)` (an empty
 * block ends the data). Every frame's CRC is checked; damage throws CorruptionError.
 */
export function* decodeBatches(
  readBlock: (offset: number) => Uint8Array,
  maxBatchBytes: number,
  source: string,
): Generator<unknown, void, undefined> {
  const reader = new FrameReader(maxBatchBytes);
  const decoder = batchDecoder(maxBatchBytes);
  let offset = 0;
  for (;;) {
    const block = readBlock(offset);
    if (block.length === 0) break;
    offset += block.length;
    for (const frame of reader.push(block)) yield decodeOne(decoder, frame.payload, source, frame.offset);
  }
  const end = reader.finish();
  if (end.kind !== 'clean') throw new CorruptionError(source, end.offset, end.reason);
}

function decodeOne(decoder: Decoder, payload: Uint8Array, source: string, offset: number): unknown {
  try {
    return decoder.decode(payload);
  } catch (err) {
    // The CRC matched, so this is a batch written by a different encoder or version.
    throw new CorruptionError(source, offset, `undecodable batch: ${(err as Error).message}`);
  }
}

export function sameSnapshot(a: SnapshotMeta, b: SnapshotMeta): boolean {
  return a.index === b.index && a.term === b.term;
}

/**
 * The life cycle shared by both writers: batches until commit() or abort(), then
 * nothing. Subclasses store the frames and do the committing.
 */
export abstract class SnapshotWriterBase implements SnapshotWriter {
  private state: 'open' | 'committing' | 'done' = 'open';
  private written = 0;
  private readonly framer: BatchFramer;

  constructor(maxBatchBytes: number) {
    this.framer = new BatchFramer(maxBatchBytes);
  }

  writeBatch(batch: unknown): void {
    assert(this.state === 'open', 'writeBatch on a snapshot writer that was committed or aborted');
    const frame = this.framer.frame(batch);
    this.store(frame);
    this.written += frame.length;
  }

  bytesWritten(): number {
    return this.written;
  }

  async commit(): Promise<SnapshotInfo> {
    assert(this.state === 'open', 'commit on a snapshot writer that was committed or aborted');
    this.state = 'committing';
    try {
      return await this.finishCommit();
    } finally {
      this.state = 'done';
    }
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'done';
    await this.discard();
  }

  protected abstract store(frame: Uint8Array): void;
  protected abstract finishCommit(): Promise<SnapshotInfo>;
  protected abstract discard(): Promise<void>;
}
