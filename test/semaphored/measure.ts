/**
 * Cost of the state machine alone (no network, no Raft), for the report and for spotting
 * regressions by eye: npx tsx test/semaphored/measure.ts
 * Not a test: nothing here asserts a time.
 */
import { encode, decode } from '@msgpack/msgpack';
import { createSemaphoredApp } from '../../examples/semaphored/app.js';
import { SemHost, grantOf } from './harness.js';

function timed(label: string, count: number, fn: () => void): void {
  const start = process.hrtime.bigint();
  fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rate = count > 0 ? `  ${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s` : '';
  console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(9)} ms${rate}`);
}

const app = createSemaphoredApp({ maxHoldersPerKey: 200_000, maxWaitersPerKey: 200_000, maxRequestRecords: 1_000_000 });

// Handlers straight, without the harness's read checks: what the applier would run.
const h = new SemHost(app);
h.send('SEM.CREATE', 'm', 1);
const acquire = app.commands.get('sem.acquire')!.write!;
const release = app.commands.get('sem.release')!.write!;
const m = (h as unknown as { writeMachine(): Parameters<typeof acquire>[0] }).writeMachine();
const key = Buffer.from('m');
const pairs = 200_000;
timed(`uncontended ACQUIRE+RELEASE pairs (${pairs.toLocaleString('en-US')})`, pairs, () => {
  for (let i = 0; i < pairs; i++) {
    const [fence] = acquire(m, [Buffer.from('SEM.ACQUIRE'), key]) as number[];
    release(m, [Buffer.from('SEM.RELEASE'), key, Buffer.from(String(fence))]);
  }
});

const big = new SemHost(app);
const n = 100_000;
big.send('SEM.CREATE', 'big', n);
timed(`${n.toLocaleString('en-US')} grants with IDs and leases 1..100 s`, n, () => {
  for (let i = 0; i < n; i++) grantOf(big.send('SEM.ACQUIRE', 'big', 'ID', `r${i}`, 'LEASE', 1000 + (i % 100) * 1000));
});
const ticks = 10_000;
timed(`${ticks.toLocaleString('en-US')} ticks with ${n.toLocaleString('en-US')} leases, none due`, ticks, () => {
  for (let i = 0; i < ticks; i++) big.advance(0);
});
let batches: unknown[] = [];
timed('snapshot (+ msgpack encode/decode) of that state', 0, () => {
  batches = [...app.definition.snapshot(big.data)].map((b) => decode(encode(b)));
});
timed('restore of that state', 0, () => void app.definition.restore(batches));
timed(`one tick ending ${(n / 100).toLocaleString('en-US')} leases`, 0, () => big.advance(1000));
timed(`one tick ending the other ${(n - n / 100).toLocaleString('en-US')} leases`, 0, () => big.advance(100_000));
