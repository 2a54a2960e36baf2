/**
 * Snapshot write time and restart time of a follower holding a large state. Each restart
 * writes a log tail after the snapshot first (so restore = load snapshot + replay tail),
 * then stops the node, starts it again and times:
 *   listening: the first PONG;
 *   serving:   a GET on the node returns the last key written before the stop, and its
 *              INFO keyspace shows every key (linearizable read: ReadIndex from the
 *              leader, served from the node's own restored state).
 */
import { randomBytes } from 'node:crypto';
import { BenchCluster, waitUntil, type BenchNode, type LogLine } from '../lib/kvd-cluster.js';
import { redisBenchmark } from '../lib/redis-bench.js';
import { call, info, num } from '../lib/resp.js';
import { table, int, fixed, codeBlock } from '../lib/markdown.js';
import { scaled, type BenchContext } from '../lib/context.js';

const RESTART_TARGET_S = 5;

export async function snapshotNow(cluster: BenchCluster, node: BenchNode): Promise<string> {
  const start = performance.now();
  const reply = await call(node.port, ['RAFT', 'SNAPSHOT', 'NOW'], 300_000);
  const seconds = (performance.now() - start) / 1000;
  if (typeof reply === 'string' && reply.startsWith('-')) throw new Error(`RAFT SNAPSHOT NOW answered ${JSON.stringify(reply)}`);
  const persistence = await info(node.port, 'persistence');
  const loggedMs = cluster.loggedMs(node, 'snapshot written');
  return [
    table(
      ['what', 'value'],
      [
        ['`RAFT SNAPSHOT NOW` on a follower, reply after', `${fixed(seconds, 2)} s`],
        ['snapshot write time in the node\'s log ("snapshot written")', `${int(loggedMs)} ms`],
        ['snapshot index', persistence.get('last_snapshot_index') ?? 'n/a'],
        ['reply', '`' + JSON.stringify(reply) + '`'],
      ],
    ),
  ].join('\n');
}

async function keys(port: number): Promise<number> {
  const db0 = (await info(port, 'keyspace', 5000)).get('db0') ?? '';
  return Number(/keys=(\d+)/.exec(db0)?.[1] ?? NaN);
}

interface RestartResult {
  readonly how: string;
  readonly tailEntries: number;
  readonly listeningS: number;
  readonly servingS: number;
  readonly restoreMs: number;
  /** From spawn to the start of the restore: node start-up, modules, opening the log. */
  readonly beforeRestoreMs: number;
  /** From spawn to the "node started" log line (listening). */
  readonly startedMs: number;
  readonly keys: number;
}

/** Milliseconds from `spawnedAt` (epoch ms) to log lines the restarted node wrote. */
function startupSteps(cluster: BenchCluster, node: BenchNode, offset: number, spawnedAt: number) {
  const lines = cluster.logLines(node, offset);
  const at = (line: LogLine | undefined): number => (line === undefined ? NaN : Date.parse(line.time) - spawnedAt);
  const restored = lines.find((l) => l.msg === 'restored state from snapshot');
  const restoreMs = typeof restored?.ms === 'number' ? restored.ms : NaN;
  return {
    // The restore is logged when it ends, with its duration.
    beforeRestoreMs: at(restored) - restoreMs,
    restoreMs,
    startedMs: at(lines.find((l) => / node started$/.test(l.msg))),
  };
}

/** Writes a tail through the leader, then stops and restarts `node` and times it. */
async function restartOnce(ctx: BenchContext, cluster: BenchCluster, node: BenchNode, how: 'SIGTERM' | 'SIGKILL'): Promise<RestartResult> {
  const leader = await cluster.waitLeader(10_000);
  const tail = scaled(ctx, 100_000);
  await redisBenchmark(leader.port, ['-c', '50', '-n', String(tail), '-r', String(ctx.keys), '-d', '16', '-P', '16', '-t', 'set'], 300_000);
  const sentinel = randomBytes(8).toString('hex');
  if ((await call(leader.port, ['SET', 'restart:sentinel', sentinel], 10_000)) !== '+OK') throw new Error('sentinel SET failed');
  await cluster.waitCaughtUp(60_000);
  const expectedKeys = await keys(node.port);
  const raft = await info(node.port, 'raft');
  const snapIndex = num(await info(node.port, 'persistence'), 'last_snapshot_index');
  const tailEntries = num(raft, 'applied_index') - snapIndex;
  if (how === 'SIGTERM') await cluster.stopNode(node, 15_000);
  else await cluster.kill9(node);
  const logOffset = cluster.log(node).length;
  const spawnedAt = Date.now();
  const start = performance.now();
  cluster.restart(node);
  await waitUntil(`node ${node.id} to answer PING`, 60_000, () => cluster.ping(node, 500), 5);
  const listeningS = (performance.now() - start) / 1000;
  await waitUntil(`node ${node.id} to serve its data`, 60_000, async () => {
    const got = await call(node.port, ['GET', 'restart:sentinel'], 2000);
    return got === `$${sentinel}` && (await keys(node.port)) === expectedKeys;
  }, 5);
  const servingS = (performance.now() - start) / 1000;
  return { how, tailEntries, listeningS, servingS, keys: expectedKeys, ...startupSteps(cluster, node, logOffset, spawnedAt) };
}

export async function restartRuns(ctx: BenchContext, cluster: BenchCluster, node: BenchNode): Promise<string> {
  const results: RestartResult[] = [];
  for (const how of ['SIGTERM', 'SIGKILL'] as const) {
    ctx.progress(`restart: ${how}`);
    results.push(await restartOnce(ctx, cluster, node, how));
  }
  const rows = results.map((r) => [
    `stopped with ${r.how}`, int(r.keys), int(r.tailEntries), int(r.beforeRestoreMs), int(r.restoreMs), int(r.startedMs), fixed(r.listeningS, 2), fixed(r.servingS, 2),
    `< ${RESTART_TARGET_S} s: ${r.servingS < RESTART_TARGET_S ? 'met' : 'MISSED'}`,
  ]);
  return [
    table(
      ['restart of a follower', 'keys', 'log entries after the snapshot', 'start-up before the restore ms', 'restore from snapshot ms (its log)', '"node started" logged after ms', 'answers PING after s', 'serves reads with the data after s', 'target'],
      rows,
    ),
    '',
    'Before each restart a tail was written through the leader with:',
    '',
    codeBlock(`redis-benchmark -p PORT -c 50 -n ${scaled(ctx, 100_000)} -r ${ctx.keys} -d 16 -P 16 -t set   # then SET restart:sentinel <random>`),
    '',
    'Time runs from spawning `node dist/bin/kvd.js` (node start-up included) until the node answers PING, then until `GET restart:sentinel` on it returns the value written last and its INFO keyspace shows every key.',
  ].join('\n');
}
