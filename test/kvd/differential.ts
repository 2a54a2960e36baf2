/**
 * Runs the same command sequence against two servers and reports every reply that differs.
 * Each side is just `send(args) => Promise<Wire>`: the in-process host today, a real kvd
 * node over RESP (RespClient.send) later, and redis-server as the reference.
 *
 * Replies that legitimately differ are compared by meaning: KEYS as a set, a whole SCAN
 * iteration as a set, RANDOMKEY by whether there was a key, and times with a tolerance
 * (the two servers receive each command a few microseconds apart).
 */
import type { Arg } from './resp-client.js';
import type { Wire } from './wire.js';

export type Send = (args: readonly Arg[]) => Promise<Wire>;

/** A command, or a whole SCAN iteration with the given options (compared as a key set). */
export type Step = { readonly args: readonly Arg[] } | { readonly scanAll: readonly Arg[] };

export interface Mismatch {
  readonly step: number;
  readonly command: string;
  readonly kvd: Wire;
  readonly redis: Wire;
}

/** Integer replies that may differ by a little: seconds by 1, milliseconds by this. */
const MS_TOLERANCE = 250;
const TOLERANCE: Readonly<Record<string, number>> = { ttl: 1, expiretime: 1, pttl: MS_TOLERANCE, pexpiretime: MS_TOLERANCE };
/** A SCAN iteration that has not ended after this many calls is a bug. */
const MAX_SCAN_CALLS = 100_000;

function sortedCopy(wire: Wire): Wire {
  return Array.isArray(wire) ? [...wire].sort((a, b) => String(a).localeCompare(String(b))) : wire;
}

function closeIntegers(a: Wire, b: Wire, tolerance: number): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || !a.startsWith(':') || !b.startsWith(':')) return false;
  const x = Number(a.slice(1));
  const y = Number(b.slice(1));
  // -1 (no TTL) and -2 (no key) are exact answers.
  if (x < 0 || y < 0) return x === y;
  return Math.abs(x - y) <= tolerance;
}

/** What is compared for a reply of this command (the identity for most). */
export function comparable(command: string, wire: Wire): Wire {
  if (command === 'keys') return sortedCopy(wire);
  if (command === 'randomkey') return typeof wire === 'string' && wire.startsWith('$') ? '$<some key>' : wire;
  return wire;
}

function same(command: string, kvd: Wire, redis: Wire): boolean {
  const tolerance = TOLERANCE[command];
  if (tolerance !== undefined && closeIntegers(kvd, redis, tolerance)) return true;
  return JSON.stringify(comparable(command, kvd)) === JSON.stringify(comparable(command, redis));
}

/** Every key a full SCAN iteration returns, sorted and without repeats; or the error reply. */
export async function scanAll(send: Send, options: readonly Arg[]): Promise<Wire> {
  const keys = new Set<string>();
  let cursor = '0';
  for (let calls = 0; calls < MAX_SCAN_CALLS; calls++) {
    const reply = await send(['SCAN', cursor, ...options]);
    if (!Array.isArray(reply)) return reply;
    const [next, batch] = reply;
    if (typeof next !== 'string' || !Array.isArray(batch)) throw new Error(`bad SCAN reply ${JSON.stringify(reply)}`);
    for (const key of batch) keys.add(String(key));
    cursor = next.slice(1);
    if (cursor === '0') return [...keys].sort();
  }
  throw new Error(`SCAN did not finish within ${MAX_SCAN_CALLS} calls`);
}

function describe(step: Step): string {
  const args = 'args' in step ? step.args : ['SCAN*', ...step.scanAll];
  return args.map((a) => JSON.stringify(Buffer.isBuffer(a) ? a.toString('latin1') : String(a))).join(' ');
}

/** Sends each step to both sides in turn; returns the mismatches (empty when all agree). */
export async function runBoth(kvd: Send, redis: Send, steps: readonly Step[]): Promise<Mismatch[]> {
  const mismatches: Mismatch[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step;
    let a: Wire;
    let b: Wire;
    let command: string;
    if ('args' in step) {
      command = String(step.args[0]).toLowerCase();
      a = await kvd(step.args);
      b = await redis(step.args);
    } else {
      command = 'scan*';
      a = await scanAll(kvd, step.scanAll);
      b = await scanAll(redis, step.scanAll);
    }
    if (!same(command, a, b)) mismatches.push({ step: i, command: describe(step), kvd: a, redis: b });
  }
  return mismatches;
}

export function formatMismatches(mismatches: readonly Mismatch[], limit = 10): string {
  return mismatches
    .slice(0, limit)
    .map((m) => `#${m.step} ${m.command}\n  kvd:   ${JSON.stringify(m.kvd)}\n  redis: ${JSON.stringify(m.redis)}`)
    .join('\n');
}
