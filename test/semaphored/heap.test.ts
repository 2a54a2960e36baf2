import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IndexedHeap } from '../../examples/semaphored/heap.js';

interface Item {
  at: number;
  seq: number;
  heapIndex: number;
}

const before = (a: Item, b: Item): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

test('the indexed heap pops in (time, seq) order through pushes, removals and re-keys', () => {
  const op = fc.oneof(
    fc.record({ t: fc.constant('push' as const), at: fc.integer({ min: 0, max: 50 }) }),
    fc.record({ t: fc.constant('pop' as const) }),
    fc.record({ t: fc.constant('remove' as const), pick: fc.nat() }),
    fc.record({ t: fc.constant('rekey' as const), pick: fc.nat(), at: fc.integer({ min: 0, max: 50 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const heap = new IndexedHeap<Item>(before);
      let model: Item[] = [];
      let seq = 0;
      const sortModel = () => model.sort((a, b) => a.at - b.at || a.seq - b.seq);
      for (const o of ops) {
        if (o.t === 'push') {
          const item = { at: o.at, seq: seq++, heapIndex: -1 };
          heap.push(item);
          model.push(item);
        } else if (o.t === 'pop') {
          sortModel();
          assert.equal(heap.pop(), model.shift());
        } else if (model.length > 0) {
          const item = model[o.pick % model.length]!;
          if (o.t === 'remove') {
            assert.equal(heap.remove(item), true);
            assert.equal(heap.remove(item), false);
            assert.equal(item.heapIndex, -1);
            model = model.filter((x) => x !== item);
          } else {
            item.at = o.at;
            heap.update(item);
          }
        }
        assert.equal(heap.size, model.length);
        sortModel();
        assert.equal(heap.peek(), model[0]);
      }
    }),
    { numRuns: 300 },
  );
});
