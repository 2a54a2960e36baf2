#!/usr/bin/env node
/**
 * Starts a local cluster of N nodes of one app on 127.0.0.1 (default: 3 kvd nodes on
 * ports 11001-11003, data under ./data/<app>-<id>). Node 1 bootstraps on first start and
 * the others join it; a restart finds the data and rejoins without -j. Ctrl-C stops
 * every node gracefully (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import yargs from 'yargs';

const here = dirname(fileURLToPath(import.meta.url));

const args = await yargs(process.argv.slice(2))
  .scriptName('cluster')
  .usage('$0 [options] [-- extra flags for every node]\n\nStarts a local N-node cluster on 127.0.0.1.')
  .option('app', { type: 'string', default: 'kvd', choices: ['kvd', 'semaphored'], describe: 'which app to run' })
  .option('nodes', { alias: 'n', type: 'number', default: 3, describe: 'number of nodes' })
  .option('base-port', { alias: 'p', type: 'number', default: 11001, describe: 'port of node 1; node i listens on base-port + i - 1' })
  .option('data-dir', { alias: 'd', type: 'string', default: 'data', describe: 'parent directory of the nodes\' data directories' })
  .option('log-format', { type: 'string', default: 'pretty', choices: ['json', 'pretty'] })
  .option('log-level', { type: 'string', default: 'info' })
  .strict()
  .help()
  .parseAsync();

const extra = (args['--'] as string[] | undefined) ?? args._.map(String);
const nodes = Math.max(1, Math.floor(args.nodes));
const children = new Map<number, ChildProcess>();
let stopping = false;

function launcher(app: string): string[] {
  const compiled = join(here, `${app}.js`);
  if (existsSync(compiled)) return [compiled];
  // Running from source (npx tsx bin/cluster.ts).
  return ['--import', 'tsx', join(here, `${app}.ts`)];
}

function startNode(i: number): void {
  const port = args.basePort + i - 1;
  const dataDir = resolve(args.dataDir, `${args.app}-${i}`);
  const fresh = !existsSync(dataDir);
  const nodeArgs = [
    ...launcher(args.app),
    '--id', String(i),
    '--addr', `127.0.0.1:${port}`,
    '--data-dir', dataDir,
    '--log-format', args.logFormat,
    '--log-level', args.logLevel,
    ...(i > 1 && fresh ? ['--join', `127.0.0.1:${args.basePort}`] : []),
    ...extra,
  ];
  const child = spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(i, child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[node ${i}] ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    children.delete(i);
    if (!stopping) process.stdout.write(`[node ${i}] exited (${signal ?? code}); the others keep running\n`);
    if (stopping && children.size === 0) process.exit(0);
  });
}

function stopAll(): void {
  if (stopping) {
    for (const c of children.values()) c.kill('SIGKILL');
    return;
  }
  stopping = true;
  process.stdout.write('\nstopping the cluster...\n');
  for (const c of children.values()) c.kill('SIGTERM');
  setTimeout(() => {
    for (const c of children.values()) c.kill('SIGKILL');
    process.exit(0);
  }, 10_000).unref();
  if (children.size === 0) process.exit(0);
}

process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

for (let i = 1; i <= nodes; i++) startNode(i);
const last = args.basePort + nodes - 1;
process.stdout.write(
  `${args.app} cluster of ${nodes} node(s) on 127.0.0.1:${args.basePort}-${last}, data in ${resolve(args.dataDir)}\n` +
    `connect with: redis-cli -p ${args.basePort}    (any node serves any command)\n` +
    `leader:       redis-cli -p ${args.basePort} RAFT LEADER\n` +
    'stop with Ctrl-C\n',
);
