/**
 * Issue 5: a 3-node kvd cluster with fsync on against redis-server with appendonly yes,
 * appendfsync always (data on the same disk), in the same run. SET and GET at -P 1 and
 * -P 16 with 50 clients, against the leader, and the same through a follower
 * (forwarded writes, follower ReadIndex reads). Around each run: CPU per request of
 * every process and the leader's fsync and batching counters.
 */
import { join } from 'node:path';
import { BenchCluster, type BenchNode } from '../lib/kvd-cluster.js';
import { startRedis, REDIS_AOF_FLAGS, type RedisRef } from '../lib/redis-server.js';
import { measure, medianRun, type Measured } from '../lib/measure.js';
import { codeBlock } from '../lib/markdown.js';
import { scaled, boundMs, type BenchContext } from '../lib/context.js';
import { kvdReport, type KvdResults, type Row } from './kvd-report.js';

export const ROWS: Row[] = [
  { test: 'SET', pipeline: 1, target: 0.45 },
  { test: 'GET', pipeline: 1, target: 0.75 },
  { test: 'SET', pipeline: 16, target: 0.35 },
  { test: 'GET', pipeline: 16, target: 0.55 },
];

function args(row: Row, n: number): string[] {
  return ['-c', '50', '-n', String(n), '-r', '100000', '-d', '16', '-P', String(row.pipeline), '-t', row.test.toLowerCase()];
}

interface Targets {
  readonly cluster: BenchCluster;
  readonly leader: BenchNode;
  readonly follower: BenchNode;
  readonly redis: RedisRef;
}

async function measureRow(t: Targets, row: Row, n: number): Promise<{ leader: Measured; follower: Measured; redis: Measured }> {
  const base = { args: args(row, n), test: row.test, requests: n, timeoutMs: boundMs(n) };
  const nodes = t.cluster.pids();
  const redis = await measure({ ...base, port: t.redis.port, watchPids: [t.redis.proc.pid] });
  const leader = await measure({ ...base, port: t.leader.port, watchPids: nodes, countersPort: t.leader.port });
  const follower = await measure({ ...base, port: t.follower.port, watchPids: nodes, countersPort: t.leader.port });
  return { leader, follower, redis };
}

export async function kvdPart(ctx: BenchContext): Promise<string> {
  const dir = join(ctx.dir, 'kvd');
  const cluster = await BenchCluster.start({ dir, nodes: 3 });
  const redis = await startRedis(dir, 'aof-always');
  const results: KvdResults = new Map();
  const n = scaled(ctx, 200_000);
  try {
    const leader = await cluster.waitLeader(10_000);
    const [follower] = await cluster.followers();
    const targets: Targets = { cluster, leader, follower: follower!, redis };
    for (let round = 0; round < ctx.rounds; round++) {
      for (const row of ROWS) {
        ctx.progress(`kvd: ${row.test} -P ${row.pipeline}, round ${round + 1}/${ctx.rounds}`);
        const got = await measureRow(targets, row, n);
        const key = `${row.test}|${row.pipeline}`;
        const entry = results.get(key) ?? { leader: [], follower: [], redis: [] };
        entry.leader.push(got.leader);
        entry.follower.push(got.follower);
        entry.redis.push(got.redis);
        results.set(key, entry);
      }
      // A leader change mid-run would mix in forwarding: say so rather than hide it.
      const now = await cluster.waitLeader(10_000);
      if (now !== leader) throw new Error(`leadership moved from node ${leader.id} to ${now.id} during the run`);
    }
    const roles = { leader: leader.proc!.pid, follower: follower!.proc!.pid, redis: redis.proc.pid, all: cluster.nodes.map((x) => x.proc!.pid) };
    return [
      kvdReport(results, ROWS, roles),
      '',
      `Commands (SET and GET run as two invocations, in the order SET then GET, so that CPU and counters can be attributed; ${ctx.rounds} round(s), each round runs redis, then the leader, then the follower; ops/s and latencies are of the median round, the ratio is the median of the per-round ratios):`,
      '',
      codeBlock(
        [
          ...ROWS.map((row) => medianRun(results.get(`${row.test}|${row.pipeline}`)!.leader).command),
          `redis-server --port PORT --bind 127.0.0.1 --dir <same disk> ${REDIS_AOF_FLAGS}`,
          'kvd: node dist/bin/kvd.js --id N --addr 127.0.0.1:PORT --data-dir <same disk> --cluster-secret S [--join ...] (defaults: fsync on, linearizable reads, forwarding)',
        ].join('\n'),
      ),
    ].join('\n');
  } finally {
    await cluster.stop();
    await redis.stop();
  }
}
