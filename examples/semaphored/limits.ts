/**
 * Named limits of semaphored. They shape state transitions (a request over a limit is
 * refused), so every replica of a cluster must run with the same values: they are part of
 * the app definition, never a per-node flag.
 */
export interface SemLimits {
  /** Most semaphores that may exist at once (SEM.CREATE past it: -LIMIT). */
  readonly maxKeys: number;
  /** Most queued acquires per semaphore (a blocking SEM.ACQUIRE past it: -LIMIT). */
  readonly maxWaitersPerKey: number;
  /** Most grants held at once per semaphore; past it acquires wait as if permits were short. */
  readonly maxHoldersPerKey: number;
  /** Most request-ID records kept (live and ended); an acquire with ID past it: -LIMIT. */
  readonly maxRequestRecords: number;
  /** How long a request ID that ended (released, expired, timed out...) is remembered. */
  readonly requestRetentionMs: number;
  /** Longest request ID, in bytes. */
  readonly maxIdBytes: number;
  /** Largest capacity of a semaphore. */
  readonly maxCapacity: number;
  /** Upper bound for every duration argument: TIMEOUT, LEASE, DEFAULTLEASE, MAXLEASE, LOCKDELAY. */
  readonly maxDurationMs: number;
  /** DEFAULTLEASE of a semaphore created without one. */
  readonly defaultLeaseMs: number;
  /** MAXLEASE of a semaphore created without one. */
  readonly defaultMaxLeaseMs: number;
  /** LOCKDELAY of a semaphore created without one (0: permits of an expired lease return at once). */
  readonly defaultLockDelayMs: number;
}

export const DEFAULT_LIMITS: SemLimits = Object.freeze({
  maxKeys: 100_000,
  maxWaitersPerKey: 10_000,
  maxHoldersPerKey: 10_000,
  // Every acquire through the client module carries an ID, so the records must outlast the
  // cluster's acquire rate: a 3-node cluster on 2 cores does ~3,000 acquires/s, i.e.
  // ~180,000 records a minute (~250 B each). 100,000 records kept 5 minutes ran out after
  // ~35 s of that load (bench/semaphored.ts); 500,000 kept 1 minute bear ~8,000/s. A
  // minute is far longer than any retry of the client module (timeout + settleMs).
  maxRequestRecords: 500_000,
  requestRetentionMs: 60_000,
  maxIdBytes: 128,
  maxCapacity: 1_000_000_000,
  maxDurationMs: 7 * 24 * 3_600_000,
  defaultLeaseMs: 30_000,
  defaultMaxLeaseMs: 3_600_000,
  defaultLockDelayMs: 0,
});

/** Fills in defaults and checks every field; a bad value is a programming error (RangeError). */
export function resolveLimits(overrides: Partial<SemLimits> = {}): SemLimits {
  const limits: SemLimits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    const min = name === 'defaultLockDelayMs' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new RangeError(`semaphored limit ${name} must be an integer >= ${min}, got ${String(value)}`);
    }
  }
  if (limits.defaultLeaseMs > limits.defaultMaxLeaseMs) {
    throw new RangeError('semaphored limit defaultLeaseMs must not exceed defaultMaxLeaseMs');
  }
  if (limits.defaultMaxLeaseMs > limits.maxDurationMs || limits.defaultLockDelayMs > limits.maxDurationMs) {
    throw new RangeError('semaphored default durations must not exceed maxDurationMs');
  }
  return Object.freeze(limits);
}
