/**
 * A granted permit on the client side: renews its lease in the background while held,
 * and tells the caller (its AbortSignal, an optional callback) the moment it is lost:
 * the server says the fence no longer holds, or the lease ran out by the local clock
 * while no renewal got through. Work guarded by the permit should stop then, and pass
 * `fence` to every resource it writes to, which rejects a fence older than one it saw.
 */

/** Why a permit's signal was aborted. */
export class PermitLostError extends Error {
  override name = 'PermitLostError';
  constructor(
    readonly key: string,
    readonly fence: number,
    reason: string,
  ) {
    super(`permit ${key}#${fence} lost: ${reason}`);
  }
}

/** What the permit needs from its client: one command with retries up to a time. */
export interface PermitTransport {
  call(args: (string | number)[], untilMs: number): Promise<unknown>;
  readonly retryDelayMs: number;
}

export interface PermitGrant {
  readonly key: string;
  readonly requestId: string;
  readonly fence: number;
  readonly permits: number;
  /** Remaining lease when the grant was received. */
  readonly remainingMs: number;
  /** LEASE to ask for on renewal (null: the lease length the server last gave). */
  readonly renewLeaseMs: number | null;
  readonly receivedAt: number;
}

export class Permit {
  readonly key: string;
  readonly fence: number;
  readonly permits: number;
  readonly requestId: string;
  private readonly controller = new AbortController();
  /** Local-clock time by which the server's lease has surely ended unless renewed. */
  private expiresAt: number;
  private leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly transport: PermitTransport,
    private readonly grant: PermitGrant,
    private readonly onLost?: (error: PermitLostError) => void,
  ) {
    this.key = grant.key;
    this.fence = grant.fence;
    this.permits = grant.permits;
    this.requestId = grant.requestId;
    this.leaseMs = grant.remainingMs;
    // From the reply's arrival: late by one network hop, so renewals come early (every third).
    this.expiresAt = grant.receivedAt + grant.remainingMs;
    this.schedule(Math.max(1, Math.floor(grant.remainingMs / 3)));
  }

  /** Aborted when the permit is lost (reason: PermitLostError) or released. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get lost(): boolean {
    return this.controller.signal.reason instanceof PermitLostError;
  }

  /** Is the grant still valid on the server? */
  async check(): Promise<boolean> {
    return (await this.transport.call(['SEM.CHECK', this.key, this.fence], this.expiresAt)) === 1;
  }

  /**
   * Gives the permits back (idempotent; safe to call twice or after a loss). Retries a
   * lost connection until the lease would have ended anyway. True if this call released it.
   */
  async release(): Promise<boolean> {
    this.stop();
    if (!this.controller.signal.aborted) this.controller.abort(new Error(`permit ${this.key}#${this.fence} released`));
    try {
      return (await this.transport.call(['SEM.RELEASE', this.key, this.fence], Math.max(this.expiresAt, Date.now() + 1000))) === 1;
    } catch {
      return false; // unreachable until the lease ended: the server freed the permits itself
    }
  }

  private schedule(inMs: number): void {
    if (this.ended) return;
    this.timer = setTimeout(() => void this.renew(), inMs);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    const sentAt = Date.now();
    const args: (string | number)[] = ['SEM.RENEW', this.key, this.fence];
    if (this.grant.renewLeaseMs !== null) args.push('LEASE', this.grant.renewLeaseMs);
    let reply: unknown;
    try {
      reply = await this.transport.call(args, this.expiresAt);
    } catch (error) {
      if (this.ended) return;
      if (Date.now() >= this.expiresAt) return this.lose(`no renewal got through before the lease ended (${String(error)})`);
      return this.schedule(Math.min(this.transport.retryDelayMs, Math.max(1, this.expiresAt - Date.now())));
    }
    if (this.ended) return;
    if (typeof reply !== 'number' || reply < 0) return this.lose('the server says the fence no longer holds');
    this.leaseMs = reply;
    // The server extended from a moment after sentAt: counting from sentAt is on the safe side.
    this.expiresAt = sentAt + reply;
    this.schedule(Math.max(1, Math.floor(this.leaseMs / 3)));
  }

  private lose(reason: string): void {
    this.stop();
    const error = new PermitLostError(this.key, this.fence, reason);
    this.controller.abort(error);
    this.onLost?.(error);
  }

  private stop(): void {
    this.ended = true;
    clearTimeout(this.timer);
  }
}
