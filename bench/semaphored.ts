/**
 * semaphored on a real 3-node cluster (fsync on, the default), from one client process:
 *   npx tsx bench/semaphored.ts [--seconds N] [--failovers N]
 *
 * 1. Uncontended acquire+release pairs per second: each client loops over a key of its
 *    own (capacity 1), through the client module (acquire with a request ID, release) and
 *    with bare commands (SEM.ACQUIRE key NOWAIT without ID, SEM.RELEASE).
 * 2. Hand-off latency under contention: C clients block on one key of capacity 1; each
 *    releases as soon as it is granted; latency = the holder sending SEM.RELEASE to the
 *    next waiter receiving its grant (same process, same clock).
 * 3. Failover: 10 workers (client module, connected to followers) cycle through a key of
 *    capacity 2 while the leader is killed with kill -9; time from the kill to the first
 *    grant, and until every worker has been granted again. The node is restarted between
 *    rounds.
 *
 * Prints Markdown tables (stdout) and progress (stderr). Build first: npm run build.
 */
import { parseArgs } from 'node:util';
import { cpus, loadavg, release } from 'node:os';
import type { Redis } from 'ioredis';
import { TestCluster, type NodeProcess } from '../test/helpers/cluster.js';
import { waitFor } from '../test/helpers/wait.js';
import { SemaphoreClient } from '../examples/semaphored/client.js';

const { values: flags } = parseArgs({
  options: { seconds: { type: 'string', default: '3' }, failovers: { type: 'string', default: '3' } },
});
const SECONDS = Number(flags.seconds);
const FAILOVERS = Number(flags.failovers);

function progress(message: string): void {
  process.stderr.write(`# ${message}\n`);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function ms(n: number): string {
  return Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 0) : 'n/a';
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

interface LoopResult {
  readonly count: number;
  readonly errors: Map<string, number>;
  readonly latenciesMs: number[];
}

/** Runs `clients` loops of `once` for `seconds`; each iteration's latency is recorded. */
async function timedLoops(clients: number, once: (client: number) => Promise<void>, seconds = SECONDS): Promise<LoopResult> {
  const until = performance.now() + seconds * 1000;
  const latenciesMs: number[] = [];
  const errors = new Map<string, number>();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < until) {
        const start = performance.now();
        try {
          await once(client);
          latenciesMs.push(performance.now() - start);
        } catch (error) {
          const kind = (error as Error).message.split(' ')[0] ?? 'error';
          errors.set(kind, (errors.get(kind) ?? 0) + 1);
        }
      }
    }),
  );
  return { count: latenciesMs.length, errors, latenciesMs: latenciesMs.sort((a, b) => a - b) };
}

function errorText(errors: Map<string, number>): string {
  return errors.size === 0 ? '0' : [...errors].map(([kind, n]) => `${n} ${kind}`).join(', ');
}

async function uncontended(leader: NodeProcess, follower: NodeProcess): Promise<string> {
  const admin = leader.client();
  const rows: (string | number)[][] = [];
  const runs: [string, number, NodeProcess][] = [
    ['client module', 1, leader],
    ['bare commands', 1, leader],
    ['client module', 16, leader],
    ['client module', 64, leader],
    ['client module', 64, follower],
    ['bare commands', 64, leader],
  ];
  // Fresh server processes are JIT-cold: the first seconds would make the first row look slow.
  const warmKeys = Array.from({ length: 16 }, (_, i) => `warm-${i}`);
  for (const key of warmKeys) await admin.call('SEM.CREATE', key, 1);
  progress('warming up for 3 s');
  await Promise.all([viaClientModule(leader, warmKeys.slice(0, 8), 3), viaBareCommands(follower, warmKeys.slice(8), 3)]);
  for (const [kind, clients, node] of runs) {
    const keys = Array.from({ length: clients }, (_, i) => `u-${rows.length}-${i}`);
    for (const key of keys) await admin.call('SEM.CREATE', key, 1);
    progress(`uncontended: ${kind}, ${clients} clients via ${node === leader ? 'the leader' : 'a follower'}`);
    const result = kind === 'client module' ? await viaClientModule(node, keys) : await viaBareCommands(node, keys);
    rows.push([
      kind,
      clients,
      node === leader ? 'leader' : 'follower',
      Math.round(result.count / SECONDS).toLocaleString('en-US'),
      ms(percentile(result.latenciesMs, 50)),
      ms(percentile(result.latenciesMs, 99)),
      errorText(result.errors),
    ]);
  }
  admin.disconnect();
  return table(['load', 'clients (1 key each)', 'connected to', 'acquire+release pairs/s', 'pair p50 ms', 'pair p99 ms', 'errors'], rows);
}

async function viaClientModule(node: NodeProcess, keys: readonly string[], seconds = SECONDS): Promise<LoopResult> {
  const clients = keys.map(() => new SemaphoreClient({ redis: { host: '127.0.0.1', port: node.port } }));
  try {
    return await timedLoops(keys.length, async (i) => {
      const permit = await clients[i]!.acquire(keys[i]!, { timeoutMs: 5000, leaseMs: 10_000 });
      if (permit === null) throw new Error('TIMEOUT of an uncontended acquire');
      if (!(await permit.release())) throw new Error('RELEASE answered 0');
    }, seconds);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

async function viaBareCommands(node: NodeProcess, keys: readonly string[], seconds = SECONDS): Promise<LoopResult> {
  const connections = keys.map(() => node.client());
  try {
    return await timedLoops(keys.length, async (i) => {
      const grant = (await connections[i]!.call('SEM.ACQUIRE', keys[i]!, 'NOWAIT', 'LEASE', 10_000)) as number[] | null;
      if (grant === null) throw new Error('NULL from an uncontended NOWAIT acquire');
      await connections[i]!.call('SEM.RELEASE', keys[i]!, grant[0] as number);
    }, seconds);
  } finally {
    for (const c of connections) c.disconnect();
  }
}

/** C clients on one key of capacity 1; each releases at once when granted. */
async function handoffs(node: NodeProcess, key: string, contenders: number): Promise<{ sorted: number[]; errors: Map<string, number> }> {
  const connections: Redis[] = Array.from({ length: contenders }, () => node.client());
  const latencies: number[] = [];
  let releaseSentAt: number | null = null;
  try {
    const result = await timedLoops(contenders, async (i) => {
      const connection = connections[i]!;
      const grant = (await connection.call('SEM.ACQUIRE', key, 'TIMEOUT', 10_000, 'LEASE', 10_000)) as number[] | null;
      if (grant === null) throw new Error('TIMEOUT waiting 10 s under contention');
      if (releaseSentAt !== null) latencies.push(performance.now() - releaseSentAt);
      releaseSentAt = performance.now();
      await connection.call('SEM.RELEASE', key, grant[0] as number);
    });
    return { sorted: latencies.sort((a, b) => a - b), errors: result.errors };
  } finally {
    for (const c of connections) c.disconnect();
  }
}

async function contended(leader: NodeProcess, follower: NodeProcess): Promise<string> {
  const admin = leader.client();
  const rows: (string | number)[][] = [];
  for (const [contenders, node] of [[2, leader], [8, leader], [32, leader], [8, follower]] as const) {
    const key = `h-${rows.length}`;
    await admin.call('SEM.CREATE', key, 1);
    progress(`hand-off: ${contenders} contenders via ${node === leader ? 'the leader' : 'a follower'}`);
    const { sorted, errors } = await handoffs(node, key, contenders);
    rows.push([
      contenders,
      node === leader ? 'leader' : 'follower',
      Math.round(sorted.length / SECONDS).toLocaleString('en-US'),
      ms(percentile(sorted, 50)),
      ms(percentile(sorted, 99)),
      errorText(errors),
    ]);
  }
  admin.disconnect();
  return table(['contenders (1 key, capacity 1)', 'connected to', 'hand-offs/s', 'release→next grant p50 ms', 'p99 ms', 'errors'], rows);
}

interface FailoverRound {
  readonly electedMs: number;
  readonly firstGrantMs: number;
  readonly allServedMs: number;
}

/** 10 workers cycle on a key of capacity 2 via the followers; kill -9 the leader. */
async function failoverRound(cluster: TestCluster, round: number): Promise<FailoverRound> {
  const leader = await cluster.waitForLeader();
  const followers = cluster.running().filter((n) => n !== leader);
  const admin = leader.client();
  const key = `f-${round}`;
  await admin.call('SEM.CREATE', key, 2);
  admin.disconnect();
  const WORKERS = 10;
  const clients = Array.from({ length: WORKERS }, (_, i) => {
    const node = followers[i % followers.length] as NodeProcess;
    return new SemaphoreClient({ redis: { host: '127.0.0.1', port: node.port }, maxRetryDelayMs: 200 });
  });
  let stop = false;
  const grants: number[][] = clients.map(() => []);
  // An acquire that fails (not a time-out) ends the round: the figures would be meaningless.
  const loops = clients.map(async (client, i) => {
    while (!stop) {
      const permit = await client.acquire(key, { timeoutMs: 20_000, leaseMs: 5000 });
      if (permit === null) continue;
      grants[i]!.push(performance.now());
      await new Promise((r) => setTimeout(r, 5));
      await permit.release();
    }
  });
  const failed = Promise.all(loops).then(() => undefined);
  const firstAfter = (t0: number): number[] => grants.map((times) => times.find((t) => t > t0) ?? NaN);
  const until = <T>(what: string, check: () => T | undefined): Promise<T | void> =>
    Promise.race([waitFor(what, check, { timeoutMs: 20_000, intervalMs: 5 }), failed]);
  try {
    await until('every worker granted', () => firstAfter(0).every(Number.isFinite) || undefined);
    const killedAt = performance.now();
    await leader.kill9();
    const elected = cluster.waitForLeader(cluster.running(), 15_000).then(() => performance.now() - killedAt);
    await until('every worker granted after the kill', () => firstAfter(killedAt).every(Number.isFinite) || undefined);
    const served = firstAfter(killedAt).map((t) => t - killedAt);
    return { electedMs: await elected, firstGrantMs: Math.min(...served), allServedMs: Math.max(...served) };
  } finally {
    stop = true;
    await failed.catch(() => {}); // already thrown by until()
    await Promise.all(clients.map((c) => c.close()));
    if (!leader.running) leader.start();
    await cluster.waitForLeader(cluster.nodes, 20_000);
  }
}

async function failovers(cluster: TestCluster): Promise<string> {
  const rows: (string | number)[][] = [];
  for (let round = 1; round <= FAILOVERS; round++) {
    progress(`failover ${round} of ${FAILOVERS}`);
    const r = await failoverRound(cluster, round);
    rows.push([round, ms(r.electedMs), ms(r.firstGrantMs), ms(r.allServedMs)]);
  }
  return table(['kill -9 of the leader', 'new leader agreed ms', 'first grant after the kill ms', 'all 10 workers granted again ms'], rows);
}

async function main(): Promise<void> {
  const command = `npx tsx bench/semaphored.ts --seconds ${SECONDS} --failovers ${FAILOVERS}`;
  const cluster = await TestCluster.start({ app: 'semaphored', nodes: 3 });
  const stopOnSignal = (): void => void cluster.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  try {
    const leader = await cluster.waitForLeader();
    const follower = cluster.running().find((n) => n !== leader) as NodeProcess;
    // Each section is printed when done, so an error later does not lose the earlier figures.
    const print = (text: string): boolean => process.stdout.write(`${text}\n\n`);
    print(`## semaphored (3 nodes on one machine, fsync on)\n\n\`${command}\``);
    const load = loadavg().map((n) => n.toFixed(1)).join(' ');
    print(`${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Linux ${release()}, node ${process.version}, ${new Date().toISOString()}, load average at start ${load}`);
    print(`### Uncontended acquire+release\n\n${await uncontended(leader, follower)}`);
    print(`### Hand-off under contention\n\n${await contended(leader, follower)}`);
    print(`### Waiters served again after kill -9 of the leader\n\n${await failovers(cluster)}`);
  } finally {
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
