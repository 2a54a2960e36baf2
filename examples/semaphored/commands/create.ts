/** SEM.CREATE (create, or change capacity and options) and SEM.DELETE. */
import { OK, ReplyError, type Reply } from '../../../lib/resp/types.js';
import { optionValue, parseOptions, rangeArg, text } from '../args.js';
import { semErrors } from '../errors.js';
import type { SemLimits } from '../limits.js';
import { newSemaphore, type Policy, type Semaphore } from '../state.js';
import { deleteSemaphore, dropOversizedWaiters, grantWaiters, type SemMachine } from '../transitions.js';

const CREATE_OPTIONS = { DEFAULTLEASE: 'value', MAXLEASE: 'value', LOCKDELAY: 'value', POLICY: 'value', NX: 'flag' } as const;

interface SemConfig {
  capacity: number;
  defaultLeaseMs: number;
  maxLeaseMs: number;
  lockDelayMs: number;
  policy: Policy;
}

/**
 * SEM.CREATE key capacity [DEFAULTLEASE ms] [MAXLEASE ms] [LOCKDELAY ms] [POLICY FIFO|FIRSTFIT] [NX]
 * On an existing key (without NX) it changes the capacity and the options given; options
 * not given keep their value. Shrinking never takes permits back: holders keep them, no
 * grant is made until usage is under the new capacity, and waiters asking for more
 * permits than the new capacity are answered ENDED at once (they could never be granted).
 * NX on an existing key changes nothing and replies null.
 */
export function semCreate(m: SemMachine, args: readonly Buffer[]): Reply {
  const s = m.data;
  const key = text(args[1] as Buffer);
  const capacity = rangeArg('capacity', args[2] as Buffer, 1, s.limits.maxCapacity);
  if (capacity instanceof ReplyError) return capacity;
  const options = parseOptions(args, 3, CREATE_OPTIONS);
  if (options instanceof ReplyError) return options;
  const existing = s.sems.get(key);
  if (existing !== undefined && options.has('NX')) return null;
  const base = existing ?? newSemaphore(key, capacity, s.limits);
  const config = readConfig(options, base, capacity, s.limits);
  if (config instanceof ReplyError) return config;
  if (existing === undefined) {
    if (s.sems.size >= s.limits.maxKeys) return semErrors.tooManyKeys(s.limits.maxKeys);
    applyConfig(base, config);
    s.addSemaphore(base);
    return OK;
  }
  const shrunk = config.capacity < existing.capacity;
  applyConfig(existing, config);
  if (shrunk) dropOversizedWaiters(m, existing);
  grantWaiters(m, existing);
  return OK;
}

function readConfig(options: Map<string, Buffer | true>, base: Semaphore, capacity: number, limits: SemLimits): SemConfig | ReplyError {
  const config: SemConfig = { ...base, capacity };
  const durations = [
    ['DEFAULTLEASE', 'defaultLeaseMs', 1],
    ['MAXLEASE', 'maxLeaseMs', 1],
    ['LOCKDELAY', 'lockDelayMs', 0],
  ] as const;
  for (const [name, field, min] of durations) {
    const arg = optionValue(options, name);
    if (arg === undefined) continue;
    const value = rangeArg(name, arg, min, limits.maxDurationMs);
    if (value instanceof ReplyError) return value;
    config[field] = value;
  }
  const policy = optionValue(options, 'POLICY')?.toString('latin1').toUpperCase();
  if (policy !== undefined) {
    if (policy !== 'FIFO' && policy !== 'FIRSTFIT') return semErrors.badPolicy();
    config.policy = policy === 'FIFO' ? 'fifo' : 'firstfit';
  }
  if (config.defaultLeaseMs > config.maxLeaseMs) {
    // Only an explicit DEFAULTLEASE above MAXLEASE is an error; an inherited one follows MAXLEASE down.
    if (options.has('DEFAULTLEASE')) return semErrors.defaultLeaseOverMax(config.defaultLeaseMs, config.maxLeaseMs);
    config.defaultLeaseMs = config.maxLeaseMs;
  }
  return config;
}

function applyConfig(sem: Semaphore, config: SemConfig): void {
  sem.capacity = config.capacity;
  sem.defaultLeaseMs = config.defaultLeaseMs;
  sem.maxLeaseMs = config.maxLeaseMs;
  sem.lockDelayMs = config.lockDelayMs;
  sem.policy = config.policy;
}

/** SEM.DELETE key: 1 if it existed. Waiters are answered ENDED; grants end; fences are never reused. */
export function semDelete(m: SemMachine, args: readonly Buffer[]): Reply {
  const sem = m.data.sems.get(text(args[1] as Buffer));
  if (sem === undefined) return 0;
  deleteSemaphore(m, sem);
  return 1;
}
