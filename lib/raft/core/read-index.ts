/**
 * Batched ReadIndex on the leader (etcd's read_only, safe mode). A read is answered with
 * the commit index at the time it arrived, once a quorum has confirmed that this node
 * was still the leader AFTER the read arrived. Reads are grouped into numbered rounds:
 * every read not yet in a round joins the next one, and one heartbeat broadcast carries
 * the round number. A follower echoing round r confirms every round <= r, so the
 * confirmed round is simply the majority value of what the voters echoed.
 *
 * Until the leader has committed an entry of its own term its commit index may be stale
 * (section 8 of the paper), so reads wait in `deferred` until then.
 */
import type { NodeId } from './types.js';

export interface ReadRequest {
  readonly ctx: Uint8Array;
  /** The follower that forwarded it, or null for a read on this node. */
  readonly from: NodeId | null;
}

export interface PendingRead extends ReadRequest {
  readonly index: number;
  readonly round: number;
}

export class ReadIndexBatcher {
  /** The last round started (broadcast). */
  round = 0;
  /** Reads waiting for a round to start; they form round `round + 1`. */
  needRound = false;
  readonly pending: PendingRead[] = [];
  /** Reads that arrived before this leader committed an entry of its term. */
  deferred: ReadRequest[] = [];
  private head = 0;

  add(request: ReadRequest, index: number): void {
    this.pending.push({ ctx: request.ctx, from: request.from, index, round: this.round + 1 });
    this.needRound = true;
  }

  startRound(): number {
    this.needRound = false;
    return ++this.round;
  }

  /** Removes and returns the reads of every round <= confirmed. */
  release(confirmed: number): PendingRead[] {
    const out: PendingRead[] = [];
    while (this.head < this.pending.length) {
      const p = this.pending[this.head] as PendingRead;
      if (p.round > confirmed) break;
      out.push(p);
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
    return out;
  }

  hasPending(): boolean {
    return this.head < this.pending.length;
  }

  reset(): void {
    this.round = 0;
    this.needRound = false;
    this.pending.length = 0;
    this.head = 0;
    this.deferred = [];
  }
}

/** Round numbers travel as the heartbeat's context: 8 bytes, big-endian, up to 2^53. */
export function encodeRound(round: number): Uint8Array {
  const out = new Uint8Array(8);
  const hi = Math.floor(round / 4294967296);
  const lo = round >>> 0;
  out[0] = hi >>> 24;
  out[1] = (hi >>> 16) & 0xff;
  out[2] = (hi >>> 8) & 0xff;
  out[3] = hi & 0xff;
  out[4] = lo >>> 24;
  out[5] = (lo >>> 16) & 0xff;
  out[6] = (lo >>> 8) & 0xff;
  out[7] = lo & 0xff;
  return out;
}

/** The round in a heartbeat response's context, or 0 when there is none. */
export function decodeRound(ctx: Uint8Array | undefined | null): number {
  if (ctx === undefined || ctx === null || ctx.byteLength !== 8) return 0;
  const hi = ((ctx[0] as number) * 16777216) + (((ctx[1] as number) << 16) | ((ctx[2] as number) << 8) | (ctx[3] as number));
  const lo = ((ctx[4] as number) * 16777216) + (((ctx[5] as number) << 16) | ((ctx[6] as number) << 8) | (ctx[7] as number));
  return hi * 4294967296 + lo;
}
