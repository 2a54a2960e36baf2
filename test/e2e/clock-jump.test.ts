/**
 * Clock jumps on the leader do not bend replicated time: a lease is not cut short by a
 * forward jump, and a wait deadline is not stretched by a backward one (both found by
 * the fault suite's clock nemesis when time followed the leader's wall clock).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster } from '../helpers/cluster.js';

test('leader clock jumps: leases keep their length, wait deadlines stay on time', async () => {
  const cluster = await TestCluster.start({ app: 'semaphored', nodes: 3, args: ['--enable-debug-command'] });
  try {
    const leader = await cluster.waitForLeader();
    const c = leader.client();
    try {
      assert.equal(await c.call('SEM.CREATE', 'm', '1'), 'OK');
      const grant = (await c.call('SEM.ACQUIRE', 'm', 'LEASE', '30000', 'ID', 'a')) as number[];
      const fence = String(grant[0]);
      const before = Number(await c.call('SEM.TIME'));
      assert.equal(await c.call('DEBUG', 'CLOCK-OFFSET', '60000'), 'OK');
      // Let replicated time move on for a while under the jumped clock.
      for (let i = 0; i < 20; i++) await c.call('SEM.INFO', 'm');
      const after = Number(await c.call('SEM.TIME'));
      assert.ok(after - before < 5000, `replicated time moved ${after - before} ms`);
      assert.equal(await c.call('SEM.CHECK', 'm', fence), 1, 'the 30 s lease survives a +60 s jump');
      assert.equal(await c.call('SEM.ACQUIRE', 'm', 'NOWAIT', 'ID', 'b'), null, 'no second holder');

      assert.equal(await c.call('DEBUG', 'CLOCK-OFFSET', '-20000'), 'OK');
      const started = Date.now();
      assert.equal(await c.call('SEM.ACQUIRE', 'm', 'TIMEOUT', '1000', 'ID', 'c'), null);
      const waited = Date.now() - started;
      assert.ok(waited >= 900 && waited < 5000, `a 1000 ms wait took ${waited} ms after a -20 s jump`);
      assert.equal(await c.call('SEM.CHECK', 'm', fence), 1);
    } finally {
      c.disconnect();
    }
  } finally {
    await cluster.stop();
  }
});
