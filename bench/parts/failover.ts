/**
 * Issue 5: failover time. Under a light write load (one client, one SET every 10 ms
 * through a follower), kill -9 the leader and time:
 *   elected: a surviving node reports itself leader;
 *   write:   a SET sent straight to each survivor (retried at once on any error) is
 *            acknowledged; the first acknowledgement counts;
 *   gap:     the longest pause between two acknowledged writes of the load client.
 * Then the old leader is restarted on its data and the cluster caught up before the
 * next round.
 */
import { join } from 'node:path';
import { BenchCluster, type BenchNode } from '../lib/kvd-cluster.js';
import { RespConn, info } from '../lib/resp.js';
import { table, int, median } from '../lib/markdown.js';
import type { BenchContext } from '../lib/context.js';

const LOAD_INTERVAL_MS = 10;
const DEADLINE_MS = 30_000;

/** One client writing every LOAD_INTERVAL_MS; tracks the longest gap between acks. */
class LightLoad {
  private stopped = false;
  private lastAck = performance.now();
  maxGapMs = 0;
  acks = 0;
  errors = 0;
  /** Distinct error texts the load client saw, with counts. */
  readonly errorKinds = new Map<string, number>();
  private readonly done: Promise<void>;

  constructor(private readonly port: number) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    let conn: RespConn | null = null;
    for (let i = 0; !this.stopped; i++) {
      try {
        conn ??= await RespConn.open(this.port, 1000);
        const reply = await conn.call(['SET', `load:${i % 1000}`, String(i)], 5000);
        if (reply !== '+OK') throw new Error(String(reply));
        const now = performance.now();
        this.maxGapMs = Math.max(this.maxGapMs, now - this.lastAck);
        this.lastAck = now;
        this.acks++;
      } catch (err) {
        this.errors++;
        const text = (err instanceof Error ? err.message : String(err)).replace(/\d+/g, 'N').slice(0, 80);
        this.errorKinds.set(text, (this.errorKinds.get(text) ?? 0) + 1);
        conn?.close();
        conn = null;
      }
      await new Promise((r) => setTimeout(r, LOAD_INTERVAL_MS));
    }
    conn?.close();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/** Resolves with ms from `t0` when a SET to `node` is acknowledged (retrying on errors). */
async function firstWrite(node: BenchNode, t0: number, done: () => boolean): Promise<number> {
  while (!done() && performance.now() - t0 < DEADLINE_MS) {
    const conn = await RespConn.open(node.port, 500).catch(() => null);
    try {
      if ((await conn?.call(['SET', 'failover:probe', String(t0)], 3000)) === '+OK') return performance.now() - t0;
    } catch {
      // Timed out or refused: try again almost at once.
    } finally {
      conn?.close();
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return Infinity;
}

async function electedAfter(survivors: BenchNode[], t0: number): Promise<number> {
  while (performance.now() - t0 < DEADLINE_MS) {
    for (const node of survivors) {
      const raft = await info(node.port, 'raft', 500).catch(() => null);
      if (raft?.get('role') === 'leader') return performance.now() - t0;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return Infinity;
}

interface Round {
  readonly electedMs: number;
  readonly writeMs: number;
  readonly gapMs: number;
  readonly errors: number;
  readonly errorKinds: ReadonlyMap<string, number>;
}

async function failoverOnce(cluster: BenchCluster): Promise<Round> {
  const leader = await cluster.waitLeader(10_000);
  const survivors = cluster.running().filter((n) => n !== leader);
  const load = new LightLoad(survivors[0]!.port);
  while (load.acks < 50) await new Promise((r) => setTimeout(r, 20));
  let acked = false;
  const t0 = performance.now();
  leader.proc!.proc.kill('SIGKILL');
  const elected = electedAfter(survivors, t0);
  const write = Promise.race(survivors.map((n) => firstWrite(n, t0, () => acked))).then((ms) => ((acked = true), ms));
  const [electedMs, writeMs] = await Promise.all([elected, write]);
  acked = true;
  // Keep the load going a moment past recovery so its gap covers the whole outage.
  const recovered = load.acks;
  while (load.acks < recovered + 20 && performance.now() - t0 < DEADLINE_MS) await new Promise((r) => setTimeout(r, 20));
  await load.stop();
  await leader.proc!.exited;
  cluster.restart(leader);
  await cluster.waitCaughtUp(30_000);
  return { electedMs, writeMs, gapMs: load.maxGapMs, errors: load.errors, errorKinds: load.errorKinds };
}

export async function failoverPart(ctx: BenchContext): Promise<string> {
  const cluster = await BenchCluster.start({ dir: join(ctx.dir, 'failover'), nodes: 3 });
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < ctx.failovers; i++) {
      ctx.progress(`failover ${i + 1}/${ctx.failovers}`);
      rounds.push(await failoverOnce(cluster));
    }
  } finally {
    await cluster.stop();
  }
  const rows = rounds.map((r, i) => [i + 1, int(r.electedMs), int(r.writeMs), int(r.gapMs), r.errors, [...r.errorKinds].map(([k, n]) => `${n} x \`${k}\``).join('; ')]);
  rows.push(['median', int(median(rounds.map((r) => r.electedMs))), int(median(rounds.map((r) => r.writeMs))), int(median(rounds.map((r) => r.gapMs))), '', '']);
  return [
    '## Failover: kill -9 the leader under a light write load (issue 5)',
    '',
    'Default timing flags (tick 50 ms, election timeout 10 ticks randomized up to 2x). Load: one client, `SET load:<i> <i>` every 10 ms through a follower.',
    '',
    table(['round', 'new leader elected after ms', 'first write acknowledged after ms', 'longest gap between acknowledged load writes ms', 'load errors', 'error texts (digits as N)'], rows),
  ].join('\n');
}
