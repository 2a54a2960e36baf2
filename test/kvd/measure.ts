/**
 * Measures kvd's state machine with 1,000,000 keys, through the same handlers the framework
 * runs (not a test; run by hand, each phase in a fresh process):
 *
 *   node --expose-gc --import tsx test/kvd/measure.ts memory     RSS/heap after loading 1M keys of 16-byte values
 *   node --expose-gc --import tsx test/kvd/measure.ts snapshot   snapshot + msgpack encode, decode + restore
 *   node --expose-gc --import tsx test/kvd/measure.ts expiry     1M keys expiring at once: tick cost and reclaim time
 *   node --expose-gc --import tsx test/kvd/measure.ts handlers   SET/GET handler calls per second
 */
import { decode, encode } from '@msgpack/msgpack';
import { kvdApp } from '../../examples/kvd/app.js';
import { KvdHost } from './harness.js';

const KEYS = Number(process.env.KVD_MEASURE_KEYS ?? 1_000_000);
const VALUE_BYTES = 16;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** Like a request parser's output: every argument is a slice of one larger buffer. */
function request(...parts: string[]): Buffer[] {
  const whole = Buffer.from(parts.join(''), 'latin1');
  const out: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    out.push(whole.subarray(offset, offset + p.length));
    offset += p.length;
  }
  return out;
}

function key(i: number): string {
  return `key:${String(i).padStart(12, '0')}`;
}

function load(h: KvdHost, extra: (i: number) => string[] = () => []): number {
  const value = 'v'.repeat(VALUE_BYTES);
  const started = performance.now();
  for (let i = 0; i < KEYS; i++) h.call(...request('SET', key(i), value, ...extra(i)));
  return performance.now() - started;
}

async function memory(): Promise<void> {
  gc();
  const before = process.memoryUsage();
  const h = new KvdHost({ checkReads: false });
  const ms = load(h);
  // Let V8 finish sweeping and give unused pages back, as it does on an idle server.
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const after = process.memoryUsage();
  console.log(`loaded ${KEYS} keys (16-byte keys, ${VALUE_BYTES}-byte values) in ${ms.toFixed(0)} ms`);
  console.log(
    `rss ${mb(after.rss)} (process before: ${mb(before.rss)}), heapUsed ${mb(after.heapUsed)}, heapTotal ${mb(after.heapTotal)}, ` +
      `external ${mb(after.external)}; per key ${((after.heapUsed - before.heapUsed) / KEYS).toFixed(0)} bytes of heap`,
  );
  if (h.wire('DBSIZE') !== `:${KEYS}`) throw new Error('not all keys were stored');
}

function snapshot(): void {
  const h = new KvdHost({ checkReads: false });
  load(h, (i) => (i % 10 === 0 ? ['PX', '3600000'] : []));
  gc();
  let started = performance.now();
  const encoded = [...kvdApp.definition.snapshot(h.data)].map((b) => encode(b));
  const snapshotMs = performance.now() - started;
  const bytes = encoded.reduce((n, b) => n + b.byteLength, 0);
  started = performance.now();
  const data = kvdApp.definition.restore(encoded.map((b) => decode(b)));
  const restoreMs = performance.now() - started;
  const restored = new KvdHost({ checkReads: false });
  restored.data = data;
  if (restored.wire('DBSIZE') !== `:${KEYS}`) throw new Error('restore lost keys');
  console.log(`${KEYS} keys (10% with a TTL): snapshot + encode ${snapshotMs.toFixed(0)} ms (${encoded.length} batches, ${mb(bytes)}), decode + restore ${restoreMs.toFixed(0)} ms`);
}

function expiry(): void {
  const h = new KvdHost({ checkReads: false });
  const setMs = load(h, () => ['PX', '60000']);
  console.log(`SET with PX for ${KEYS} keys: ${setMs.toFixed(0)} ms`);
  h.advance(60_001);
  const took: number[] = [];
  while (h.data.dbs[0]?.size !== 0) {
    h.advance(100);
    const started = performance.now();
    h.tick();
    took.push(performance.now() - started);
  }
  const sorted = [...took].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(2);
  const mean = took.reduce((a, b) => a + b, 0) / took.length;
  console.log(
    `all ${KEYS} expired at once; reclaimed over ${took.length} ticks 100 ms apart: ` +
      `tick mean ${mean.toFixed(2)} ms, p50 ${at(0.5)}, p99 ${at(0.99)}, max ${at(1)} ms (first ${(took[0] as number).toFixed(2)} ms)`,
  );
  const started = performance.now();
  h.tick();
  console.log(`tick with nothing due: ${((performance.now() - started) * 1000).toFixed(0)} us`);
}

function handlers(): void {
  const h = new KvdHost({ checkReads: false });
  const n = Math.min(KEYS, 500_000);
  const value = 'v'.repeat(VALUE_BYTES);
  let started = performance.now();
  for (let i = 0; i < n; i++) h.call(...request('SET', key(i), value));
  const setRate = n / ((performance.now() - started) / 1000);
  started = performance.now();
  for (let i = 0; i < n; i++) h.call(...request('GET', key(i)));
  const getRate = n / ((performance.now() - started) / 1000);
  console.log(`in-process handler calls (with tick before each write): SET ${setRate.toFixed(0)}/s, GET ${getRate.toFixed(0)}/s`);
}

const phases: Record<string, () => void | Promise<void>> = { memory, snapshot, expiry, handlers };
const phase = phases[process.argv[2] ?? ''];
if (phase === undefined) {
  console.error(`usage: measure.ts ${Object.keys(phases).join('|')}`);
  process.exit(2);
}
await phase();
