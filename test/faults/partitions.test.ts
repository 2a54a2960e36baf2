import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rngFromSeed } from '../../lib/util/rng.js';
import { cutBetween, partitionPlan } from './runner/partitions.js';

/** Which nodes each node can still send to, under a plan's cut links. */
function reach(members: string[], links: [string, string][]): Map<string, string[]> {
  const cut = new Set(links.map(([a, b]) => `${a}>${b}`));
  return new Map(members.map((m) => [m, members.filter((o) => o !== m && !cut.has(`${m}>${o}`))]));
}

describe('partition plans', () => {
  test('cutBetween cuts both directions between the sides and nothing inside them', () => {
    assert.deepEqual(cutBetween(['a'], ['b', 'c']), [['a', 'b'], ['b', 'a'], ['a', 'c'], ['c', 'a']]);
  });

  test('every plan leaves at least one node reaching a majority, and the kinds all occur', () => {
    const members = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const rng = rngFromSeed(9);
    const kinds = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const plan = partitionPlan(members, 'n2', rng);
      assert.ok(plan);
      kinds.add(plan.label.split(' ')[0] as string);
      const r = reach(members, plan.links);
      const best = Math.max(...[...r.values()].map((to) => to.length + 1));
      assert.ok(best >= 3, `${plan.label}: no node reaches a majority`);
      if (plan.label.startsWith('asymmetric')) {
        assert.equal(r.get('n2')?.length, 4, 'the leader still sends to everyone');
        assert.ok([...r.entries()].every(([m, to]) => m === 'n2' || !to.includes('n2')), 'nobody reaches the leader');
      }
    }
    assert.deepEqual([...kinds].sort(), ['asymmetric:', 'bridge', 'isolate', 'majority']);
  });

  test('without a known leader, only leaderless kinds are chosen', () => {
    const rng = rngFromSeed(3);
    for (let i = 0; i < 50; i++) {
      const plan = partitionPlan(['n1', 'n2', 'n3'], undefined, rng);
      assert.match(plan?.label ?? '', /^(majority|bridge)/);
    }
  });
});
