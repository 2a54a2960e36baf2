import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rngFromSeed } from '../../lib/util/rng.js';
import { LinearizedSet, Memo } from './checker/search-memo.js';

test('the compact linearized set tells sets apart exactly as a plain set does', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rng = rngFromSeed(seed);
    const count = rng.range(1, 300);
    const returns = Array.from({ length: count }, () => rng.chance(0.85));
    const set = new LinearizedSet(returns);
    const memo = new Memo();
    const seen = new Set<string>();
    const members: number[] = [];
    const marks: { low: number; high: number }[] = [];
    // Adds and removes in stack order, as the search does, remembering every set visited.
    for (let step = 0; step < 1500; step++) {
      const outside = Array.from({ length: count }, (_, i) => i).filter((i) => !members.includes(i));
      if (outside.length > 0 && (members.length === 0 || rng.chance(0.6))) {
        const op = outside[rng.int(outside.length)] as number;
        marks.push({ low: set.low, high: set.high });
        set.add(op);
        members.push(op);
      } else {
        const op = members.pop() as number;
        const mark = marks.pop() as { low: number; high: number };
        set.remove(op, mark.low, mark.high);
      }
      const plain = [...members].sort((a, b) => a - b).join(',');
      assert.equal(memo.add(set, 0), !seen.has(plain), `seed ${seed} step ${step}: {${plain}}`);
      seen.add(plain);
      for (const op of members) assert.ok(set.has(op));
    }
  }
});

test('the memo keeps equal sets with different states apart', () => {
  const set = new LinearizedSet([true, true, false]);
  const memo = new Memo();
  set.add(0);
  assert.equal(memo.add(set, 1), true);
  assert.equal(memo.add(set, 2), true);
  assert.equal(memo.add(set, 1), false);
  set.add(2);
  assert.equal(memo.add(set, 1), true, 'an unknown op is part of the set');
});
