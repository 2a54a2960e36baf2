/**
 * Issue 2: PING and ECHO on one kvd node against redis-server in the same run, at -P 1
 * and -P 16 with 50 clients. Connection commands are served locally, so this measures
 * the RESP layer and the connection handling, not Raft.
 */
import { join } from 'node:path';
import { BenchCluster } from '../lib/kvd-cluster.js';
import { startRedis } from '../lib/redis-server.js';
import { measure, medianRun, pairedRatio, ratioCell, type Measured } from '../lib/measure.js';
import { table, int, fixed, codeBlock } from '../lib/markdown.js';
import { scaled, boundMs, type BenchContext } from '../lib/context.js';

interface Case {
  readonly label: string;
  readonly test: string;
  readonly args: (pipeline: number, n: number) => string[];
}

const CASES: Case[] = [
  { label: 'PING (inline)', test: 'PING_INLINE', args: (p, n) => ['-c', '50', '-n', String(n), '-P', String(p), '-t', 'ping_inline'] },
  { label: 'PING (multibulk)', test: 'PING_MBULK', args: (p, n) => ['-c', '50', '-n', String(n), '-P', String(p), '-t', 'ping_mbulk'] },
  { label: 'ECHO 16 B', test: 'ECHO 0123456789abcdef', args: (p, n) => ['-c', '50', '-n', String(n), '-P', String(p), 'ECHO', '0123456789abcdef'] },
];
const PIPELINES = [1, 16] as const;
const TARGET_P16 = 0.5;

export async function pingPart(ctx: BenchContext): Promise<string> {
  const dir = join(ctx.dir, 'ping');
  const cluster = await BenchCluster.start({ dir, nodes: 1 });
  const redis = await startRedis(dir, 'none');
  const kvd = cluster.nodes[0]!;
  const results = new Map<string, { kvd: Measured[]; redis: Measured[] }>();
  const commands: string[] = [];
  try {
    for (let round = 0; round < ctx.rounds; round++) {
      for (const pipeline of PIPELINES) {
        for (const c of CASES) {
          const n = scaled(ctx, pipeline === 1 ? 200_000 : 1_000_000);
          const args = c.args(pipeline, n);
          const key = `${c.label}|${pipeline}`;
          const entry = results.get(key) ?? { kvd: [], redis: [] };
          results.set(key, entry);
          ctx.progress(`ping: ${c.label} -P ${pipeline}, round ${round + 1}/${ctx.rounds}`);
          const spec = { args, test: c.test, requests: n, timeoutMs: boundMs(n, 5000) };
          entry.redis.push(await measure({ ...spec, port: redis.port, watchPids: [redis.proc.pid] }));
          const k = await measure({ ...spec, port: kvd.port, watchPids: [kvd.proc!.pid] });
          entry.kvd.push(k);
          if (round === 0) commands.push(k.command);
        }
      }
    }
  } finally {
    await cluster.stop();
    await redis.stop();
  }
  return report(results, commands, kvd.proc!.pid, redis.proc.pid);
}

function report(results: Map<string, { kvd: Measured[]; redis: Measured[] }>, commands: string[], kvdPid: number, redisPid: number): string {
  const rows: (string | number)[][] = [];
  for (const pipeline of PIPELINES) {
    for (const c of CASES) {
      const entry = results.get(`${c.label}|${pipeline}`)!;
      const k = medianRun(entry.kvd);
      const r = medianRun(entry.redis);
      const ratio = pairedRatio(entry.kvd, entry.redis);
      const verdict = pipeline === 16 ? (ratio.median >= TARGET_P16 ? `>= ${TARGET_P16}: met` : `>= ${TARGET_P16}: MISSED`) : '';
      rows.push([
        c.label, pipeline, int(k.row.rps), fixed(k.row.p50Ms, 3), fixed(k.row.p99Ms, 3),
        int(r.row.rps), fixed(r.row.p50Ms, 3), fixed(r.row.p99Ms, 3), ratioCell(ratio), verdict,
        fixed(k.cpuUsPerRequest.get(kvdPid)!, 1), fixed(r.cpuUsPerRequest.get(redisPid)!, 1),
      ]);
    }
  }
  return [
    '## PING and ECHO: one kvd node vs redis-server (issue 2)',
    '',
    table(
      ['command', '-P', 'kvd ops/s', 'kvd p50 ms', 'kvd p99 ms', 'redis ops/s', 'redis p50 ms', 'redis p99 ms', 'ratio: median of rounds (each round)', 'target', 'kvd CPU us/req', 'redis CPU us/req'],
      rows,
    ),
    '',
    'Commands (each also run against redis-server started with `--save "" --appendonly no`):',
    '',
    codeBlock(commands.join('\n')),
  ].join('\n');
}
