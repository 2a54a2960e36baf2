/**
 * Snapshots travel in chunks of `snapshotChunkBytes`, with at most
 * `maxInflightSnapshotChunks` unacknowledged. The sender side (SnapshotSend) lives in the
 * leader's Progress for the follower; the receiver side (SnapshotAssembly) collects
 * chunks in order. The receiver acknowledges each chunk with a `snapResp` whose
 * rejectHint is the number of bytes it holds; `reject` asks the sender to go back to
 * that offset (a chunk was lost, or the receiver lost its partial copy and needs a
 * clean restart from 0). Once complete, the receiver installs the snapshot and answers
 * with an ordinary `appResp` for its new last index.
 */
import type { Message, NodeId, SnapshotMeta } from './types.js';

export class SnapshotSend {
  /** Next byte to send. */
  nextOffset = 0;
  /** Bytes the receiver confirmed holding. */
  ackedOffset = 0;
  /** Heartbeat rounds since the receiver last answered. */
  stalledRounds = 0;
  /** The offset we last went back to on a rejection, to ignore repeats of it. */
  private rewoundTo = -1;
  /** A zero-byte snapshot still travels as one empty chunk. */
  private sentEmpty = false;

  constructor(
    readonly meta: SnapshotMeta,
    readonly totalBytes: number,
  ) {}

  /** The byte range of the next chunk to send, or null when the window is full or all is sent. */
  nextChunk(chunkBytes: number, maxInflight: number): { offset: number; length: number } | null {
    if (this.totalBytes === 0) {
      if (this.sentEmpty) return null;
      this.sentEmpty = true;
      return { offset: 0, length: 0 };
    }
    if (this.nextOffset >= this.totalBytes) return null;
    if (Math.ceil((this.nextOffset - this.ackedOffset) / chunkBytes) >= maxInflight) return null;
    const offset = this.nextOffset;
    const length = Math.min(chunkBytes, this.totalBytes - offset);
    this.nextOffset = offset + length;
    return { offset, length };
  }

  /** The receiver's answer: holds `received` bytes; `reject` asks to resend from there. */
  onResponse(received: number, reject: boolean): void {
    this.stalledRounds = 0;
    if (received > this.ackedOffset) {
      this.ackedOffset = Math.min(received, this.totalBytes);
      this.rewoundTo = -1;
    }
    if (this.nextOffset < this.ackedOffset) this.nextOffset = this.ackedOffset;
    if (reject && received !== this.rewoundTo) {
      this.rewoundTo = received;
      this.ackedOffset = Math.min(this.ackedOffset, received);
      this.nextOffset = received;
      this.sentEmpty = false;
    }
  }

  /** No answer for a while: chunks were probably lost; resend from the last acknowledged byte. */
  onStall(): void {
    this.stalledRounds = 0;
    this.nextOffset = this.ackedOffset;
    this.sentEmpty = false;
    this.rewoundTo = -1;
  }
}

/** A snapshot being received; identified by sender, term and the snapshot's index and term. */
export class SnapshotAssembly {
  private readonly chunks: Uint8Array[] = [];
  received = 0;

  constructor(
    readonly from: NodeId,
    readonly term: number,
    readonly meta: SnapshotMeta,
    readonly totalBytes: number,
  ) {}

  matches(m: Message): boolean {
    const meta = m.snapshot;
    return (
      meta !== undefined &&
      m.from === this.from &&
      m.term === this.term &&
      meta.index === this.meta.index &&
      meta.term === this.meta.term &&
      m.chunk !== undefined &&
      m.chunk.totalBytes === this.totalBytes
    );
  }

  add(data: Uint8Array): void {
    this.chunks.push(data);
    this.received += data.byteLength;
  }

  complete(): boolean {
    return this.received >= this.totalBytes;
  }

  data(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0] as Uint8Array;
    const out = new Uint8Array(this.received);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}
