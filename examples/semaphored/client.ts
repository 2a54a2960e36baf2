/**
 * A small semaphored client on ioredis.
 *
 *   const sem = new SemaphoreClient({ redis: { host: '127.0.0.1', port: 11001 } });
 *   await sem.withPermit('jobs', { timeoutMs: 5000, leaseMs: 10_000 }, async (permit) => {
 *     await work(permit.fence, permit.signal);   // stop when permit.signal aborts
 *   });
 *
 * Every acquire carries a request ID. On a lost connection or a leader change the same
 * ID is sent again, so the server answers with the original outcome (the same grant, or
 * the same place in the queue): a retry never takes a second grant. Retries stop at the
 * caller's timeout plus `settleMs`; with no timeout they go on until the signal aborts.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { Permit, type PermitLostError, type PermitTransport } from './permit.js';

export { Permit, PermitLostError } from './permit.js';

export interface SemaphoreClientOptions {
  /** Where and how to connect (host, port, password, tls...). Retry fields are set by the client. */
  readonly redis?: RedisOptions;
  /** After the caller's timeout, how long to keep trying to learn a request's outcome. Default 3000. */
  readonly settleMs?: number;
  /** First delay between retries, doubled up to maxRetryDelayMs. Default 50. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Per-command timeout of non-blocking commands (renew, release...). Default 2000. */
  readonly commandTimeoutMs?: number;
  /** Server errors worth retrying with the same ID. Default: isRetryableReply. */
  readonly isRetryable?: (message: string) => boolean;
}

export interface AcquireOptions {
  /** Default 1. */
  readonly permits?: number;
  /** How long to wait in the queue; 0 (default) waits until granted or aborted. */
  readonly timeoutMs?: number;
  /** Lease asked for and renewed; default: the semaphore's DEFAULTLEASE. */
  readonly leaseMs?: number;
  /** Request ID; default a random UUID. */
  readonly id?: string;
  /** Aborting gives up the wait (and releases a grant that raced with it). */
  readonly signal?: AbortSignal;
  /** Called once if the permit is lost while held (also visible as permit.signal). */
  readonly onLost?: (error: PermitLostError) => void;
}

/**
 * Codes that mean "not now, ask again" (leader changes, elections, loading), and
 * UNCERTAIN (a lost connection to the leader, a timeout: maybe applied). Every command
 * this client sends is safe to repeat: acquires carry their request ID, and release,
 * renew, cancel and create by fence, ID or value give the same outcome twice.
 */
const RETRYABLE = /^(TRYAGAIN|CLUSTERDOWN|UNCERTAIN|LOADING|MOVED|ASK|READONLY|NOTLEADER|MASTERDOWN|BUSY)\b|leader/i;

export function isRetryableReply(message: string): boolean {
  return RETRYABLE.test(message);
}

export class SemaphoreTimeoutError extends Error {
  override name = 'SemaphoreTimeoutError';
}

export class SemaphoreUnavailableError extends Error {
  override name = 'SemaphoreUnavailableError';
}

type CallOutcome = { kind: 'reply'; value: unknown } | { kind: 'failed'; error: Error } | { kind: 'late' };

function isReplyError(error: Error): boolean {
  return error.name === 'ReplyError';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

export class SemaphoreClient implements PermitTransport {
  readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly settleMs: number;
  private readonly isRetryable: (message: string) => boolean;
  private redisOptions: RedisOptions;
  private readonly commandTimeoutMs: number;
  /** Short commands; blocking acquires each take a connection of their own from `idle`. */
  private command: Redis;
  private readonly idle: Redis[] = [];
  private readonly open = new Set<Redis>();
  private closed = false;

  constructor(options: SemaphoreClientOptions = {}) {
    this.retryDelayMs = options.retryDelayMs ?? 50;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 1000;
    this.settleMs = options.settleMs ?? 3000;
    this.isRetryable = options.isRetryable ?? isRetryableReply;
    this.redisOptions = {
      ...options.redis,
      // The client retries itself, with the same request ID; ioredis must not resend on its own.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times) => Math.min(times * this.retryDelayMs, this.maxRetryDelayMs),
    };
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2000;
    this.command = this.connect({ commandTimeout: this.commandTimeoutMs });
  }

  /** SEM.CREATE key capacity [options...], e.g. create('jobs', 3, 'LOCKDELAY', 1000). */
  async create(key: string, capacity: number, ...options: (string | number)[]): Promise<unknown> {
    return this.call(['SEM.CREATE', key, capacity, ...options], Date.now() + this.settleMs);
  }

  /** Waits for permits: a Permit, or null if the timeout passed first. */
  async acquire(key: string, options: AcquireOptions = {}): Promise<Permit | null> {
    const timeoutMs = options.timeoutMs ?? 0;
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
    let rid = options.id ?? randomUUID();
    let delay = this.retryDelayMs;
    for (;;) {
      if (this.closed) throw new SemaphoreUnavailableError('the client was closed');
      if (options.signal?.aborted) {
        await this.abandon(key, rid);
        throw options.signal.reason;
      }
      if (Date.now() >= deadline + this.settleMs) {
        await this.abandon(key, rid);
        throw new SemaphoreUnavailableError(`no answer for ${key} within the timeout (${timeoutMs} ms) plus ${this.settleMs} ms`);
      }
      const args: (string | number)[] = ['SEM.ACQUIRE', key, 'PERMITS', options.permits ?? 1, 'ID', rid];
      if (options.leaseMs !== undefined) args.push('LEASE', options.leaseMs);
      args.push('TIMEOUT', timeoutMs > 0 ? Math.max(1, deadline - Date.now()) : 0);
      const outcome = await this.blockingCall(args, deadline + this.settleMs, options.signal);
      if (outcome.kind === 'reply') return this.permitFrom(key, rid, outcome.value, options);
      if (outcome.kind === 'failed' && isReplyError(outcome.error)) {
        const message = outcome.error.message;
        if (message.startsWith('ENDED') && options.id === undefined && Date.now() < deadline) {
          rid = randomUUID(); // that request holds nothing now; a fresh one may still be granted in time
          continue;
        }
        if (message.startsWith('ENDED')) return null;
        if (!this.isRetryable(message)) throw outcome.error;
        if (this.followRedirect(message)) continue;
      }
      await sleep(Math.min(delay, deadline + this.settleMs - Date.now()), options.signal);
      delay = Math.min(delay * 2, this.maxRetryDelayMs);
    }
  }

  /** One attempt without waiting in the queue (retried only on lost connections). */
  async tryAcquire(key: string, options: Omit<AcquireOptions, 'timeoutMs' | 'signal'> = {}): Promise<Permit | null> {
    const rid = options.id ?? randomUUID();
    const args: (string | number)[] = ['SEM.ACQUIRE', key, 'PERMITS', options.permits ?? 1, 'ID', rid, 'NOWAIT'];
    if (options.leaseMs !== undefined) args.push('LEASE', options.leaseMs);
    return this.permitFrom(key, rid, await this.call(args, Date.now() + this.settleMs), options);
  }

  /** Runs fn while holding permits and releases them afterwards; throws SemaphoreTimeoutError if not granted in time. */
  async withPermit<T>(key: string, options: AcquireOptions, fn: (permit: Permit) => Promise<T>): Promise<T> {
    const permit = await this.acquire(key, options);
    if (permit === null) throw new SemaphoreTimeoutError(`no permit of ${key} within ${options.timeoutMs ?? 0} ms`);
    try {
      return await fn(permit);
    } finally {
      await permit.release();
    }
  }

  /** A short command, retried with backoff on lost connections and retryable errors until untilMs. */
  async call(args: (string | number)[], untilMs: number): Promise<unknown> {
    let delay = this.retryDelayMs;
    for (;;) {
      try {
        return await this.command.call(String(args[0]), args.slice(1));
      } catch (error) {
        const e = error as Error;
        if (isReplyError(e) && !this.isRetryable(e.message)) throw e;
        if (isReplyError(e)) this.followRedirect(e.message);
        if (this.closed || Date.now() + delay >= untilMs) throw e;
      }
      await sleep(delay);
      delay = Math.min(delay * 2, this.maxRetryDelayMs);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const connection of this.open) connection.disconnect();
    this.open.clear();
    this.idle.length = 0;
  }

  private permitFrom(key: string, rid: string, reply: unknown, options: Pick<AcquireOptions, 'leaseMs' | 'onLost'>): Permit | null {
    if (reply === null) return null;
    if (!Array.isArray(reply) || reply.length !== 3) throw new Error(`unexpected SEM.ACQUIRE reply ${JSON.stringify(reply)}`);
    const [fence, remainingMs, permits] = reply.map(Number) as [number, number, number];
    const grant = { key, requestId: rid, fence, permits, remainingMs, renewLeaseMs: options.leaseMs ?? null, receivedAt: Date.now() };
    return new Permit(this, grant, options.onLost);
  }

  /**
   * A blocking command on a connection of its own (replies come in order, so a parked
   * acquire would hold up renewals on a shared one). Gives up at untilMs or on abort by
   * dropping the connection: its late reply could not be matched any more.
   */
  private async blockingCall(args: (string | number)[], untilMs: number, signal?: AbortSignal): Promise<CallOutcome> {
    const connection = this.idle.pop() ?? this.connect({});
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const late = new Promise<CallOutcome>((resolve) => {
      if (Number.isFinite(untilMs)) timer = setTimeout(() => resolve({ kind: 'late' }), Math.max(0, untilMs - Date.now()));
      onAbort = () => resolve({ kind: 'late' });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const answered = connection.call(String(args[0]), args.slice(1)).then(
      (value): CallOutcome => ({ kind: 'reply', value }),
      (error: Error): CallOutcome => ({ kind: 'failed', error }),
    );
    const outcome = await Promise.race([answered, late]);
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    const reusable = outcome.kind === 'reply' || (outcome.kind === 'failed' && isReplyError(outcome.error));
    if (reusable && !this.closed && connection.status === 'ready') this.idle.push(connection);
    else this.drop(connection);
    return outcome;
  }

  /**
   * Gives up request `rid`: cancel it, then ask for its outcome by ID, and release a grant
   * that raced with the cancel. Best effort within settleMs; a leftover grant ends with its lease.
   */
  private async abandon(key: string, rid: string): Promise<void> {
    const until = Date.now() + this.settleMs;
    try {
      await this.call(['SEM.CANCEL', key, rid], until);
      const reply = await this.call(['SEM.ACQUIRE', key, 'ID', rid, 'NOWAIT'], until).catch(() => null);
      if (Array.isArray(reply)) await this.call(['SEM.RELEASE', key, Number(reply[0])], until);
    } catch {
      // Unreachable: the server's abandon handling and the lease take over.
    }
  }

  /**
   * A server in redirect mode answers `MOVED 0 host:port` (the leader): talk to that
   * node from now on. True if the target changed.
   */
  private followRedirect(message: string): boolean {
    const moved = /^MOVED \d+ (.+):(\d+)$/.exec(message);
    if (moved === null || this.closed) return false;
    const [host, port] = [moved[1] as string, Number(moved[2])];
    if (this.redisOptions.host === host && this.redisOptions.port === port) return false;
    this.redisOptions = { ...this.redisOptions, host, port };
    for (const connection of this.idle.splice(0)) this.drop(connection);
    this.drop(this.command);
    this.command = this.connect({ commandTimeout: this.commandTimeoutMs });
    return true;
  }

  private connect(extra: RedisOptions): Redis {
    const connection = new Redis({ ...this.redisOptions, ...extra });
    connection.on('error', () => {}); // failures surface as rejected commands; ioredis reconnects
    this.open.add(connection);
    return connection;
  }

  private drop(connection: Redis): void {
    this.open.delete(connection);
    connection.disconnect();
  }
}
