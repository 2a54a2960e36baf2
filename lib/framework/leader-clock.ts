/**
 * Where the leader takes replicated time from. Leases and wait deadlines are decided on
 * replicated time, so it must never run faster than real time, whatever the wall clock
 * does: it advances with the leader's monotonic clock, continuing from the time the
 * cluster has already applied. Only to keep close to calendar time (for EXPIREAT-style
 * absolute timestamps) does it converge on the leader's wall clock when that is ahead,
 * and then at most `catchUpPercent` faster than real time. A forward jump of the wall
 * clock therefore shortens a lease by at most that percentage; a backward jump changes
 * nothing (time keeps its pace instead of freezing).
 */
export class LeaderClock {
  private lastMs = 0;
  private lastMono = 0;

  constructor(
    private readonly wallNowMs: () => number,
    private readonly catchUpPercent: number,
    private readonly monoNowMs: () => number = () => performance.now(),
  ) {}

  /** This node became the leader: continue from the replicated time it has applied. */
  start(appliedTimeMs: number): void {
    // A brand-new cluster has no time yet: it starts on the wall clock.
    this.lastMs = appliedTimeMs > 0 ? Math.max(this.lastMs, appliedTimeMs) : Math.max(this.lastMs, this.wallNowMs());
    this.lastMono = this.monoNowMs();
  }

  /** Replicated time in whole ms for an entry proposed now; never decreasing. */
  now(): number {
    const mono = this.monoNowMs();
    const elapsed = Math.max(0, mono - this.lastMono);
    this.lastMono = mono;
    let t = this.lastMs + elapsed;
    const wall = this.wallNowMs();
    if (wall > t) t = Math.min(wall, t + (elapsed * this.catchUpPercent) / 100);
    this.lastMs = t;
    // Kept exact inside, handed out in whole milliseconds as apps expect.
    return Math.floor(t);
  }
}
