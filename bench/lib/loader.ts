/**
 * Loads `keys` distinct keys of 16 B with 16 B values (redis-benchmark's key shape,
 * `key:` + 12 digits) through several `redis-cli --pipe` processes in parallel, each
 * sending its share of SET commands as one stream.
 */
import { Readable } from 'node:stream';
import { capture } from './procs.js';

export const KEY_PREFIX = 'key:';

export function keyName(i: number): string {
  return `${KEY_PREFIX}${String(i).padStart(12, '0')}`;
}

function* protocol(from: number, to: number): Generator<Buffer> {
  const CHUNK = 5000;
  for (let start = from; start < to; start += CHUNK) {
    const parts: string[] = [];
    for (let i = start; i < Math.min(to, start + CHUNK); i++) {
      const value = `v${String(i).padStart(15, '0')}`;
      parts.push(`*3\r\n$3\r\nSET\r\n$16\r\n${keyName(i)}\r\n$16\r\n${value}\r\n`);
    }
    yield Buffer.from(parts.join(''));
  }
}

export interface LoadResult {
  readonly seconds: number;
  readonly command: string;
}

export async function loadKeys(port: number, keys: number, streams: number, timeoutMs: number): Promise<LoadResult> {
  const per = Math.ceil(keys / streams);
  const start = performance.now();
  const runs = Array.from({ length: streams }, (_, s) => {
    const input = Readable.from(protocol(s * per, Math.min(keys, (s + 1) * per)));
    return capture('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--pipe', '--pipe-timeout', '60'], { timeoutMs, input });
  });
  for (const result of await Promise.all(runs)) {
    const summary = result.stdout.match(/errors: (\d+), replies: (\d+)/);
    if (result.code !== 0 || summary === null || summary[1] !== '0') {
      throw new Error(`redis-cli --pipe failed (${result.code}): ${result.stdout.slice(-300)} ${result.stderr.slice(-300)}`);
    }
  }
  return {
    seconds: (performance.now() - start) / 1000,
    command: `${streams} x redis-cli -p PORT --pipe < (SET key:<12 digits> <16 B value>, ${per} distinct keys each)`,
  };
}
