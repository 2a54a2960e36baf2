/**
 * Seeded fuzz of the request parser: random pipelines (round trip), mutated pipelines and
 * binary noise, each fed at random split points and held to the plain reference model.
 * A failure prints the seed and the case number; FUZZ_SEED=n replays another seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { rngFromSeed, type Rng } from '../../lib/util/rng.js';
import { DEFAULT_RESP_LIMITS, type RespLimits } from '../../lib/resp/limits.js';
import { cutAt, feed, type Outcome } from './feed.js';
import { referenceParse } from './reference-parser.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20240601);
const ROUND_TRIPS = 30_000;
const MUTATED = 70_000;

function bytes(rng: Rng, length: number, alphabet?: string): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) {
    out[i] = alphabet ? alphabet.charCodeAt(rng.int(alphabet.length)) : rng.int(256);
  }
  return out;
}

const WORD = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SPICY = '*$\r\n-0123456789 "\'\\x';

function randomArg(rng: Rng): Buffer {
  switch (rng.int(5)) {
    case 0: return bytes(rng, rng.range(1, 8), WORD);
    case 1: return bytes(rng, rng.range(0, 30));
    case 2: return Buffer.alloc(0);
    case 3: return bytes(rng, rng.range(0, 12), SPICY);
    default: return bytes(rng, rng.range(1, rng.chance(0.1) ? 400 : 40));
  }
}

function randomCommand(rng: Rng): Buffer[] {
  return Array.from({ length: rng.range(1, 5) }, () => randomArg(rng));
}

function encodeMultibulk(args: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) parts.push(Buffer.from(`$${arg.length}\r\n`), arg, Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** An inline line that sdssplitargs reads back as `args`: plain words, single or double quotes. */
function encodeInline(rng: Rng, args: readonly Buffer[]): Buffer {
  const words = args.map((arg) => {
    const text = arg.toString('latin1');
    if (/^[a-z0-9]+$/.test(text) && rng.chance(0.7)) return text;
    if (!/['\n]/.test(text) && !text.endsWith('\\') && rng.chance(0.3)) return `'${text}'`;
    let quoted = '"';
    for (const byte of arg) {
      const c = String.fromCharCode(byte);
      if (c === '"' || c === '\\') quoted += '\\' + c;
      else if (byte >= 0x20 && byte < 0x7f && rng.chance(0.8)) quoted += c;
      else quoted += `\\x${byte.toString(16).padStart(2, '0')}`;
    }
    return quoted + '"';
  });
  const gap = (): string => [' ', '  ', '\t', ' \t '][rng.int(4)]!;
  const lead = rng.chance(0.2) ? gap() : '';
  return Buffer.from(lead + words.join(gap()) + (rng.chance(0.3) ? gap() : '') + (rng.chance(0.7) ? '\r\n' : '\n'), 'latin1');
}

/** Commands in either encoding, with now and then a request that carries none (*0, a blank line). */
function encodePipeline(rng: Rng, commands: readonly Buffer[][]): Buffer {
  const parts: Buffer[] = [];
  for (const args of commands) {
    if (rng.chance(0.05)) parts.push(Buffer.from(['*0\r\n', '\r\n', ' \t\n'][rng.int(3)]!));
    parts.push(rng.chance(0.6) ? encodeMultibulk(args) : encodeInline(rng, args));
  }
  return Buffer.concat(parts);
}

function mutate(rng: Rng, input: Buffer): Buffer {
  const at = (): number => rng.int(input.length + 1);
  switch (rng.int(9)) {
    case 0: {
      const out = Buffer.from(input);
      if (out.length > 0) out[rng.int(out.length)] = rng.int(256);
      return out;
    }
    case 1: return input.subarray(0, at());
    case 2: return replaceNumber(rng, input, ['999999999999', '536870913', '1048577', '4294967296', String(rng.int(1 << 30))]);
    case 3: return replaceNumber(rng, input, ['-5', '-1', '-0', '+3', '03', '', ' 1', '1x']);
    case 4: {
      const i = at();
      return Buffer.concat([input.subarray(0, i), bytes(rng, rng.range(1, 8)), input.subarray(i)]);
    }
    case 5: {
      const i = at();
      return Buffer.concat([input.subarray(0, i), input.subarray(Math.min(input.length, i + rng.range(1, 10)))]);
    }
    case 6: {
      const i = at();
      const insert = ['\r\n', '"', "'", '*', '$', '\r', '\n', '\\'][rng.int(8)]!;
      return Buffer.concat([input.subarray(0, i), Buffer.from(insert), input.subarray(i)]);
    }
    case 7: return bytes(rng, rng.range(1, 200));
    default: return bytes(rng, rng.range(1, 120), SPICY + 'ab');
  }
}

/** Replaces one of the numbers after a '*' or '$' with one of `choices`. */
function replaceNumber(rng: Rng, input: Buffer, choices: readonly string[]): Buffer {
  const text = input.toString('latin1');
  const spots = [...text.matchAll(/[*$](\d+)\r/g)];
  if (spots.length === 0) return input;
  const spot = spots[rng.int(spots.length)]!;
  const from = spot.index + 1;
  const replaced = text.slice(0, from) + choices[rng.int(choices.length)] + text.slice(from + spot[1]!.length);
  return Buffer.from(replaced, 'latin1');
}

function randomLimits(rng: Rng): RespLimits {
  if (rng.chance(0.5)) return { ...DEFAULT_RESP_LIMITS };
  return {
    ...DEFAULT_RESP_LIMITS,
    maxBulkBytes: smallLimit(rng, 64),
    maxArgs: smallLimit(rng, 8),
    maxInlineBytes: smallLimit(rng, 64),
    maxBufferedBytes: smallLimit(rng, 256),
  };
}

/** Often tiny, where the edge cases are. */
function smallLimit(rng: Rng, max: number): number {
  return rng.chance(0.3) ? rng.range(1, 4) : rng.range(1, max);
}

/** 0 to 6 random cuts, or one byte at a time. */
function randomChunks(rng: Rng, input: Buffer): Buffer[] {
  if (input.length < 300 && rng.chance(0.05)) return cutAt(input, Array.from({ length: Math.max(0, input.length - 1) }, (_, i) => i + 1));
  const cuts = Array.from({ length: rng.int(7) }, () => rng.int(input.length + 1)).sort((a, b) => a - b);
  return cutAt(input, cuts);
}

function latin1(commands: readonly Buffer[][]): string[][] {
  return commands.map((args) => args.map((arg) => arg.toString('latin1')));
}

test(`round trip: ${ROUND_TRIPS} random pipelines parse back equal at random splits (seed ${SEED})`, () => {
  const rng = rngFromSeed(SEED);
  for (let n = 0; n < ROUND_TRIPS; n++) {
    const commands = Array.from({ length: rng.range(1, 10) }, () => randomCommand(rng));
    const input = encodePipeline(rng, commands);
    const outcome = feed(randomChunks(rng, input));
    assert.deepEqual(outcome, { commands: latin1(commands), error: null, pending: 0 }, `seed ${SEED} case ${n}`);
  }
});

test(`mutations and noise: ${MUTATED} inputs agree with the reference model at random splits (seed ${SEED})`, () => {
  const rng = rngFromSeed(SEED + 1);
  const errors = new Map<string, number>();
  let incomplete = 0;
  for (let n = 0; n < MUTATED; n++) {
    const commands = Array.from({ length: rng.range(1, 6) }, () => randomCommand(rng));
    let input = encodePipeline(rng, commands);
    for (let m = rng.range(1, 3); m > 0; m--) input = mutate(rng, input);
    const limits = randomLimits(rng);
    const expected: Outcome = referenceParse(input, limits);
    const actual = feed(randomChunks(rng, input), limits);
    if (!isDeepStrictEqual(actual, expected)) {
      assert.deepEqual(actual, expected, `seed ${SEED} case ${n}: input ${JSON.stringify(input.toString('latin1'))}, limits ${JSON.stringify(limits)}`);
    }
    if (expected.error) {
      const kind = expected.error.replace(/got '.*'$/, 'got _').replace(/\d+/g, '_');
      errors.set(kind, (errors.get(kind) ?? 0) + 1);
    } else if (expected.pending > 0) incomplete++;
  }
  // The mutations must reach every error the parser can report, and incomplete input.
  const kinds = [...errors.keys()].sort();
  for (const kind of [
    'expected CRLF after a bulk string of _ bytes',
    "expected '\\n' after '\\r' in a bulk length",
    "expected '\\n' after '\\r' in a multibulk length",
    "expected '$', got _",
    'invalid bulk length',
    'invalid multibulk length',
    'query buffer limit exceeded',
    'too big bulk count string',
    'too big inline request',
    'too big mbulk count string',
    'unbalanced quotes in request',
  ]) {
    assert.ok(kinds.includes(kind), `no case produced '${kind}'; seen: ${kinds.join(' | ')}`);
  }
  assert.ok(incomplete > 1000, `only ${incomplete} incomplete inputs`);
});
