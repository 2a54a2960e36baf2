/** Commands on grants and waits: SEM.RELEASE (and SEM.SIGNAL), SEM.RENEW, SEM.REVOKE, SEM.CANCEL. */
import { ReplyError, type Reply } from '../../../lib/resp/types.js';
import { parseInteger, parseOptions, optionValue, rangeArg, text } from '../args.js';
import { semErrors } from '../errors.js';
import { recordEarlyCancel } from '../records.js';
import { endHolder, endWaiter, grantWaiters, type SemMachine } from '../transitions.js';

/**
 * SEM.RELEASE key fence [fence ...]: the number of grants released. Idempotent: an
 * unknown, released or expired fence counts 0 and frees nothing, so a retried release
 * can never inflate the permits.
 */
export function semRelease(m: SemMachine, args: readonly Buffer[]): Reply {
  const fences: number[] = [];
  for (const arg of args.slice(2)) {
    const fence = parseInteger(arg);
    if (fence === null) return semErrors.notInteger();
    fences.push(fence);
  }
  const sem = m.data.sems.get(text(args[1] as Buffer));
  if (sem === undefined) return 0;
  let released = 0;
  for (const fence of fences) {
    const holder = sem.holders.get(fence);
    if (holder === undefined) continue;
    endHolder(m, sem, holder, 'released');
    released++;
  }
  if (released > 0) grantWaiters(m, sem);
  return released;
}

const RENEW_OPTIONS = { LEASE: 'value' } as const;

/**
 * SEM.RENEW key fence [LEASE ms]: the new remaining lease in ms, or -2 if the fence does
 * not hold (released, expired, revoked, unknown). Without LEASE the grant's last lease
 * length is used again (capped by the current MAXLEASE).
 */
export function semRenew(m: SemMachine, args: readonly Buffer[]): Reply {
  const s = m.data;
  const fence = parseInteger(args[2] as Buffer);
  if (fence === null) return semErrors.notInteger();
  const options = parseOptions(args, 3, RENEW_OPTIONS);
  if (options instanceof ReplyError) return options;
  const leaseArg = optionValue(options, 'LEASE');
  const lease = leaseArg === undefined ? null : rangeArg('LEASE', leaseArg, 1, s.limits.maxDurationMs);
  if (lease instanceof ReplyError) return lease;
  const sem = s.sems.get(text(args[1] as Buffer));
  const holder = sem?.holders.get(fence);
  const now = m.now();
  // tick runs before every write, so a live holder has expiresAt > now; checked anyway.
  if (sem === undefined || holder === undefined || holder.expiresAt <= now) return -2;
  if (lease !== null && lease > sem.maxLeaseMs) return semErrors.leaseOverMax(lease, sem.maxLeaseMs);
  holder.leaseMs = lease ?? Math.min(holder.leaseMs, sem.maxLeaseMs);
  holder.expiresAt = now + holder.leaseMs;
  s.leases.update(holder);
  return holder.leaseMs;
}

/**
 * SEM.REVOKE key fence: 1 if the grant was taken away. Its permits then wait out the
 * LOCKDELAY like an expired lease's (the holder may still be running).
 */
export function semRevoke(m: SemMachine, args: readonly Buffer[]): Reply {
  const fence = parseInteger(args[2] as Buffer);
  if (fence === null) return semErrors.notInteger();
  const sem = m.data.sems.get(text(args[1] as Buffer));
  const holder = sem?.holders.get(fence);
  if (sem === undefined || holder === undefined) return 0;
  endHolder(m, sem, holder, 'revoked');
  grantWaiters(m, sem);
  return 1;
}

/**
 * SEM.CANCEL key rid: 1 if a waiting acquire was cancelled (its client is answered
 * ENDED), 0 otherwise; a grant is never cancelled (release it by fence). Cancelling a
 * client ID that has not arrived yet records it as cancelled, so a late acquire with that
 * ID cannot queue an orphan. The framework sends this when a parked client is gone.
 */
export function semCancel(m: SemMachine, args: readonly Buffer[]): Reply {
  const key = text(args[1] as Buffer);
  const rid = text(args[2] as Buffer);
  const sem = m.data.sems.get(key);
  const waiter = sem?.waiters.get(rid);
  if (sem === undefined || waiter === undefined) {
    recordEarlyCancel(m.data, key, rid, m.now());
    return 0;
  }
  endWaiter(m, sem, waiter, 'cancelled');
  grantWaiters(m, sem);
  return 1;
}
