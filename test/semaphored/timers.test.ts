import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSemaphoredApp } from '../../examples/semaphored/app.js';
import { SemHost, grantOf, waitKeyOf } from './harness.js';

const app = createSemaphoredApp();

test('a tick touches only what is due: never every semaphore, holder, waiter or record', () => {
  const h = new SemHost(app);
  const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
  for (const k of keys) {
    h.send('SEM.CREATE', k, 1);
    grantOf(h.send('SEM.ACQUIRE', k, 'LEASE', 60_000, 'ID', 'holder'));
    h.send('SEM.ACQUIRE', k, 'TIMEOUT', 90_000, 'ID', 'waiter');
  }
  h.send('SEM.CREATE', 'due', 1);
  grantOf(h.send('SEM.ACQUIRE', 'due', 'LEASE', 1_000));
  h.send('SEM.ACQUIRE', 'due', 'ID', 'next');
  const walked: string[] = [];
  const trap = (what: string) => () => {
    walked.push(what);
    return [][Symbol.iterator]();
  };
  const s = h.data;
  s.sems.values = trap('sems');
  s.sems.forEach = trap('sems') as never;
  s.records.values = trap('records');
  for (const k of keys) {
    const sem = s.sems.get(k)!;
    sem.holders.values = trap(`${k} holders`);
    sem.waiters.values = trap(`${k} waiters`);
  }
  h.advance(500);
  assert.deepEqual(walked, []);
  h.advance(500); // the one lease on 'due' ends and its waiter is served
  assert.deepEqual(walked, []);
  assert.deepEqual(h.takeWakes().map((w) => w.key), [waitKeyOf('due', 'next')]);
});
