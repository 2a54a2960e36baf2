/** The reference: a redis-server on 127.0.0.1, data on the same disk as kvd's. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/ports.js';
import { track, stop, commandWorks, type Tracked } from './procs.js';
import { waitUntil } from './kvd-cluster.js';
import { call } from './resp.js';

export interface RedisRef {
  readonly port: number;
  readonly proc: Tracked;
  stop(): Promise<void>;
}

export function redisInstalled(): boolean {
  return commandWorks('redis-server', ['--version']) && commandWorks('redis-benchmark', ['--version']);
}

/** `persistence`: 'aof-always' = appendonly yes + appendfsync always; 'none' = no disk. */
export async function startRedis(dir: string, persistence: 'aof-always' | 'none'): Promise<RedisRef> {
  const port = await freePort();
  const dataDir = join(dir, `redis-${port}`);
  mkdirSync(dataDir, { recursive: true });
  const durability = persistence === 'aof-always' ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const proc = track(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '', '--daemonize', 'no', ...durability],
    { logFile: join(dir, `redis-${port}.log`) },
  );
  await waitUntil('redis-server to answer PING', 10_000, async () => (await call(port, ['PING'], 500)) === '+PONG');
  return { port, proc, stop: async () => void (await stop(proc)) };
}

export const REDIS_AOF_FLAGS = '--appendonly yes --appendfsync always --save ""';
