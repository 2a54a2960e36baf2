/**
 * Every error reply semaphored sends (besides the framework's unknown command, wrong
 * number of arguments, syntax error and not-an-integer texts). The README lists them.
 */
import { ReplyError } from '../../lib/resp/types.js';
import { errors } from '../../lib/framework/errors.js';

/** How a request that will never be granted again ended (a timed-out acquire answers null instead). */
export type EndReason = 'cancelled' | 'released' | 'expired' | 'revoked' | 'deleted' | 'shrunk';

const ENDED_TEXT: Record<EndReason, string> = {
  cancelled: 'its wait was cancelled',
  released: 'its grant was released',
  expired: 'its lease expired',
  revoked: 'its grant was revoked',
  deleted: 'its semaphore was deleted',
  shrunk: 'the capacity shrank below its PERMITS',
};

export const semErrors = {
  noSuchSemaphore(key: string): ReplyError {
    return new ReplyError(`NOSEM no such semaphore '${key}' (create it with SEM.CREATE)`);
  },
  ended(rid: string, reason: EndReason): ReplyError {
    return new ReplyError(`ENDED request '${rid}' already ended: ${ENDED_TEXT[reason]}`);
  },
  tooManyKeys(max: number): ReplyError {
    return new ReplyError(`LIMIT too many semaphores (max ${max}); delete some with SEM.DELETE`);
  },
  tooManyWaiters(key: string, max: number): ReplyError {
    return new ReplyError(`LIMIT too many waiters on '${key}' (max ${max})`);
  },
  tooManyRequestIds(max: number): ReplyError {
    return new ReplyError(`LIMIT too many request IDs remembered (max ${max}); retry later or acquire without ID`);
  },
  permitsOverCapacity(key: string, permits: number, capacity: number): ReplyError {
    return new ReplyError(`ERR PERMITS ${permits} exceeds the capacity ${capacity} of '${key}'`);
  },
  leaseOverMax(lease: number, max: number): ReplyError {
    return new ReplyError(`ERR LEASE ${lease} ms exceeds the semaphore's MAXLEASE ${max} ms`);
  },
  defaultLeaseOverMax(lease: number, max: number): ReplyError {
    return new ReplyError(`ERR DEFAULTLEASE ${lease} ms exceeds MAXLEASE ${max} ms`);
  },
  outOfRange(name: string, min: number, max: number): ReplyError {
    return new ReplyError(`ERR ${name} must be an integer from ${min} to ${max}`);
  },
  badId(maxBytes: number): ReplyError {
    return new ReplyError(`ERR ID must be 1 to ${maxBytes} bytes and must not start with '#'`);
  },
  badPolicy(): ReplyError {
    return new ReplyError('ERR POLICY must be FIFO or FIRSTFIT');
  },
  invalidCursor(): ReplyError {
    return new ReplyError('ERR invalid cursor');
  },
  syntax: errors.syntax,
  notInteger: errors.notInteger,
} as const;
