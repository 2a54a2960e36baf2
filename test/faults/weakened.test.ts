/**
 * The checker catches real anomalies in a real run: kvd started with --stale-reads
 * (reads served from the local state machine, without ReadIndex: not linearizable) under
 * pauses and partitions. A follower's or a cut-off node's reads lag the leader, and the
 * register checker must report the history NOT linearizable with a witness. Retries a
 * few seeds, since a short run could, in principle, happen to see no stale read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedRun } from './runner/bounded.js';

test('a --stale-reads cluster under pauses and partitions is flagged NOT linearizable', async () => {
  const seeds = [201, 202, 203];
  for (const seed of seeds) {
    const result = await boundedRun('register', seed, 12, { staleReads: true, nemeses: ['pause', 'partition'] }, true);
    if (result.summary.valid !== false) continue;
    const checker = result.results[0];
    assert.equal(checker?.checker, 'linearizable-register');
    const first = checker.anomalies[0];
    assert.equal(first?.type, 'not-linearizable');
    assert.match(first.witness?.join('\n') ?? '', /cannot|no write of/);
    return;
  }
  assert.fail(`no anomaly found with seeds ${seeds.join(', ')} under --stale-reads`);
});
