/**
 * Issues 4 and 5 with a large state: a 3-node cluster holding 1,000,000 keys.
 * - memory: RSS of each node (and of redis-server holding the same keys);
 * - restart: RAFT SNAPSHOT NOW on a follower, a log tail written after it, then the
 *   follower stopped (SIGTERM, and separately kill -9) and started again; the time
 *   until it answers reads with the data, and the restore time its log reports.
 */
import { join } from 'node:path';
import { BenchCluster, type BenchNode } from '../lib/kvd-cluster.js';
import { startRedis } from '../lib/redis-server.js';
import { loadKeys } from '../lib/loader.js';
import { memory } from '../lib/proc-stats.js';
import { info, num } from '../lib/resp.js';
import { table, int, fixed, codeBlock } from '../lib/markdown.js';
import type { BenchContext } from '../lib/context.js';
import { restartRuns, snapshotNow } from './restart.js';

const LOADERS = 4;
const RSS_TARGET_MIB = 300;

async function keysOn(port: number): Promise<number> {
  const db0 = (await info(port, 'keyspace')).get('db0');
  return db0 === undefined ? 0 : Number(/keys=(\d+)/.exec(db0)?.[1] ?? NaN);
}

const IDLE_MS = 10_000;

async function memoryTable(ctx: BenchContext, cluster: BenchCluster, leader: BenchNode): Promise<string> {
  const first = new Map(cluster.nodes.map((n) => [n, memory(n.proc!.pid)]));
  // A second reading after an idle spell: V8 collects garbage lazily, so the first one
  // includes what the load left behind; the idle one is closer to the live data.
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const rows: (string | number)[][] = [];
  for (const node of cluster.nodes) {
    const m = first.get(node)!;
    const idle = memory(node.proc!.pid);
    const role = node === leader ? 'leader' : 'follower';
    const ok = m.rssMiB < RSS_TARGET_MIB ? 'met' : 'MISSED';
    rows.push([`kvd node ${node.id} (${role})`, int(await keysOn(node.port)), fixed(m.rssMiB, 1), fixed(idle.rssMiB, 1), fixed(idle.peakRssMiB, 1), `< ${RSS_TARGET_MIB} MiB: ${ok}`]);
  }
  const redis = await startRedis(join(ctx.dir, 'big-state'), 'none');
  try {
    await loadKeys(redis.port, ctx.keys, LOADERS, 600_000);
    const m = memory(redis.proc.pid);
    rows.push(['redis-server (reference, no persistence)', int(await keysOn(redis.port)), fixed(m.rssMiB, 1), '', fixed(m.peakRssMiB, 1), '']);
  } finally {
    await redis.stop();
  }
  return table(['process', 'keys', 'RSS MiB after the load', `RSS MiB after ${IDLE_MS / 1000} s idle`, 'peak RSS MiB', 'target (after the load)'], rows);
}

export async function bigStatePart(ctx: BenchContext, parts: { memory: boolean; restart: boolean }): Promise<string> {
  const cluster = await BenchCluster.start({ dir: join(ctx.dir, 'big-state'), nodes: 3 });
  const out: string[] = [];
  try {
    const leader = await cluster.waitLeader(10_000);
    ctx.progress(`big-state: loading ${ctx.keys} keys`);
    const load = await loadKeys(leader.port, ctx.keys, LOADERS, 900_000);
    await cluster.waitCaughtUp(120_000);
    const loaded = await keysOn(leader.port);
    const fsyncs = num(await info(leader.port, 'persistence'), 'fsyncs');
    out.push(
      `Loaded ${int(loaded)} keys into the 3-node cluster (fsync on) in ${fixed(load.seconds, 1)} s (${int(loaded / load.seconds)} keys/s, ${int(fsyncs)} fsyncs on the leader so far):`,
      '',
      codeBlock(load.command),
    );
    if (parts.memory) {
      ctx.progress('big-state: memory');
      out.push('', `## Memory per node with ${int(ctx.keys)} keys (issue 5)`, '', 'RSS from /proc/<pid>/status (VmRSS, VmHWM) once every node has applied the load, and again after an idle spell.', '', await memoryTable(ctx, cluster, leader));
    }
    if (parts.restart) {
      ctx.progress('big-state: snapshot and restart');
      const follower = (await cluster.followers())[0]!;
      const snap = await snapshotNow(cluster, follower);
      out.push('', `## Snapshot and restart with ${int(ctx.keys)} keys (issue 4)`, '', snap, '', await restartRuns(ctx, cluster, follower));
    }
  } finally {
    await cluster.stop();
  }
  return out.join('\n');
}
