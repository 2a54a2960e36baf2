/**
 * kvd against a real redis-server: scripted sequences covering every command and error,
 * then seeded random sequences. Replies and error texts must match exactly (KEYS, SCAN and
 * RANDOMKEY by meaning, times within a tolerance: see differential.ts).
 *
 * The kvd side is `send`: the in-process host by default; with KVD_DIFF_TARGET=host:port
 * the same comparison runs against a real kvd node over RESP (start one first, e.g.
 * `npx tsx bin/kvd.ts -a 127.0.0.1:7379 -d /tmp/kvd-diff`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rngFromSeed } from '../../lib/util/rng.js';
import { randomSteps } from './command-generator.js';
import { formatMismatches, runBoth, type Send, type Step } from './differential.js';
import { KvdHost } from './harness.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { RespClient } from './resp-client.js';
import { scripts } from './scripts.js';

/** More on demand: KVD_DIFF_SEEDS=500 npm test -- kvd/differential */
const RANDOM_SEEDS = Number(process.env.KVD_DIFF_SEEDS ?? 12);
const RANDOM_STEPS_PER_SEED = Number(process.env.KVD_DIFF_STEPS ?? 400);
const FIRST_SEED = Number(process.env.KVD_DIFF_FIRST_SEED ?? 1);
const RESET: readonly Step[] = [{ args: ['FLUSHALL'] }, { args: ['SELECT', '0'] }];

describe('kvd replies match redis-server', () => {
  let redis: RedisServer | undefined;
  let client: RespClient | undefined;
  let redisSend: Send;
  let target: RespClient | undefined;

  before(async () => {
    redis = await startRedisServer();
    const c = await RespClient.connect(redis.port);
    client = c;
    redisSend = (args) => c.send(args);
    const address = process.env.KVD_DIFF_TARGET;
    if (address !== undefined) {
      const [host, port] = address.split(':');
      target = await RespClient.connect(Number(port), host);
    }
  });

  after(async () => {
    client?.close();
    target?.close();
    await redis?.stop();
  });

  /**
   * The kvd side: a real node when KVD_DIFF_TARGET is set (each sequence starts with
   * FLUSHALL), else a fresh in-process host in wall-clock mode, sharing time with redis-server.
   */
  function kvdSend(seed = 1): Send {
    const t = target;
    if (t !== undefined) return (args) => t.send(args);
    return new KvdHost({ wallClock: true, seed }).send;
  }

  async function compare(kvd: Send, steps: readonly Step[]): Promise<void> {
    const mismatches = await runBoth(kvd, redisSend, [...RESET, ...steps]);
    assert.equal(mismatches.length, 0, `${mismatches.length} replies differ:\n${formatMismatches(mismatches)}`);
  }

  for (const [name, steps] of Object.entries(scripts())) {
    test(`script: ${name}`, () => compare(kvdSend(), steps));
  }

  test(`random sequences: ${RANDOM_SEEDS} seeds x ${RANDOM_STEPS_PER_SEED} commands`, async () => {
    for (let seed = FIRST_SEED; seed < FIRST_SEED + RANDOM_SEEDS; seed++) {
      const steps = randomSteps(rngFromSeed(seed), RANDOM_STEPS_PER_SEED);
      const mismatches = await runBoth(kvdSend(seed), redisSend, [...RESET, ...steps]);
      assert.equal(mismatches.length, 0, `seed ${seed}: ${mismatches.length} replies differ:\n${formatMismatches(mismatches)}`);
    }
  });
});
