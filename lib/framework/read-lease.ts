/**
 * The leader's read lease (Raft dissertation 6.4.1, etcd's lease-based reads), earned
 * from ReadIndex rounds. With check-quorum, a follower ignores vote requests for
 * electionTimeoutTicks after it last heard from its leader, so once a quorum has
 * answered a heartbeat round that the leader sent at monotonic time S, no other leader
 * can be elected before S + (electionTimeoutTicks - 1) ticks. Until then the leader
 * can answer reads from its applied state with no round trip. The lease:
 *  - is timed from when the round was REQUESTED (before it was sent: conservative),
 *    shortened by a margin for clocks running at different rates;
 *  - carries the round's read index: a lease read waits until that index, and the
 *    leader's current commit index, are applied, so it sees every write an earlier
 *    leader acknowledged and everything a follower may already have applied;
 *  - ends at any leadership change, and is not used during a leadership transfer (a
 *    transfer lets its target skip the followers' vote check) or by a non-voter;
 *  - is measured on the monotonic clock, which keeps running while a process is
 *    paused: a leader resumed from SIGSTOP finds its lease expired.
 */
export interface ReadLeaseConfig {
  /** How long a confirmed round keeps the lease; 0 disables lease reads. */
  readonly durationMs: number;
  monoNowMs(): number;
  /** This node may use a lease now: the leader, a voter, no transfer in progress. */
  eligible(): boolean;
}

export class ReadLease {
  private untilMono = 0;
  private floorIndex = 0;
  private epoch = 0;
  /** Reads answered under the lease (INFO stats). */
  served = 0;

  constructor(private readonly config: ReadLeaseConfig) {}

  get enabled(): boolean {
    return this.config.durationMs > 0;
  }

  /** Leadership changed: a lease never outlives the leadership that earned it. */
  reset(): void {
    this.epoch++;
    this.untilMono = 0;
    this.floorIndex = 0;
  }

  currentEpoch(): number {
    return this.epoch;
  }

  /** A quorum confirmed a round requested at `requestedMono` in `epoch`, at read index `index`. */
  confirmed(requestedMono: number, epoch: number, index: number): void {
    if (!this.enabled || epoch !== this.epoch || !this.config.eligible()) return;
    this.untilMono = Math.max(this.untilMono, requestedMono + this.config.durationMs);
    this.floorIndex = Math.max(this.floorIndex, index);
  }

  /** The index a lease read must have applied, or null when no lease holds right now. */
  readFloor(now = this.config.monoNowMs()): number | null {
    if (!this.enabled || now >= this.untilMono || !this.config.eligible()) return null;
    return this.floorIndex;
  }

  /** Worth asking for a round now, so the lease does not lapse under steady reads. */
  wantsRenewal(now = this.config.monoNowMs()): boolean {
    return this.enabled && this.untilMono - now < this.config.durationMs / 2 && this.config.eligible();
  }
}
