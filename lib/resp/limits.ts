/**
 * Size limits of the RESP layer. Every limit has a name, a default and a clear error when a
 * peer passes it (DESIGN.md principle 6): a client can never make the server buffer or
 * allocate without bound.
 */
export interface RespLimits {
  /**
   * Largest bulk string accepted, in bytes (a request argument, or a `$`/`!`/`=` blob in a
   * reply). Default 512 MiB, Redis's `proto-max-bulk-len`. Passing it:
   * `invalid bulk length`.
   */
  maxBulkBytes: number;
  /**
   * Largest element count of one multibulk request (`*N`), and of one reply aggregate.
   * Default 1,048,576. Passing it: `invalid multibulk length`.
   */
  maxArgs: number;
  /**
   * Longest line: an inline command, a `*N` / `$N` header, or a one-line reply. Default
   * 64 KiB, Redis's PROTO_INLINE_MAX_SIZE. Passing it: `too big inline request`,
   * `too big mbulk count string` or `too big bulk count string`.
   */
  maxInlineBytes: number;
  /**
   * Largest single request (or reply) in bytes, which bounds what one incomplete request
   * can make the parser hold, like Redis's `client-query-buffer-limit`. Default 1 GiB.
   * Passing it: `query buffer limit exceeded`.
   */
  maxBufferedBytes: number;
  /**
   * Deepest nesting of aggregates in one reply (ReplyReader only; requests are flat).
   * Default 128. Passing it: `reply nesting too deep`.
   */
  maxNestingDepth: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_RESP_LIMITS: Readonly<RespLimits> = Object.freeze({
  maxBulkBytes: 512 * MiB,
  maxArgs: 1024 * 1024,
  maxInlineBytes: 64 * 1024,
  maxBufferedBytes: 1024 * MiB,
  maxNestingDepth: 128,
});

/** Upper bound of every limit: lengths beyond it cannot be exact in a JS number. */
const MAX_LIMIT = Number.MAX_SAFE_INTEGER;

/**
 * Merges `limits` over the defaults and checks every field. Throws a RangeError that names
 * the field, the value and what is allowed.
 */
export function validateRespLimits(limits: Partial<RespLimits> = {}): RespLimits {
  const merged: RespLimits = { ...DEFAULT_RESP_LIMITS, ...dropUndefined(limits) };
  for (const key of Object.keys(merged) as (keyof RespLimits)[]) {
    if (!(key in DEFAULT_RESP_LIMITS)) {
      throw new RangeError(`RespLimits: unknown field '${String(key)}'`);
    }
    checkPositiveInteger(key, merged[key]);
  }
  return merged;
}

function dropUndefined(limits: Partial<RespLimits>): Partial<RespLimits> {
  const out: Partial<RespLimits> = {};
  for (const [key, value] of Object.entries(limits)) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

function checkPositiveInteger(name: keyof RespLimits, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_LIMIT) {
    throw new RangeError(
      `RespLimits.${name} must be an integer from 1 to ${MAX_LIMIT}, got ${describe(value)}`,
    );
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
