/**
 * The Raft paper, sections 5.3 (log replication) and 5.4 (safety). One test per claim.
 * Logs in scenario tests are written as the terms of entries 2, 3, ... (entry 1 is a
 * snapshot holding the configuration; see Cluster.addWithLogs).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, electedCluster, encoder } from './harness.js';
import type { Message } from '../../lib/raft/core/types.js';


describe('5.3 Log replication', () => {
  test('5.3: the leader appends a command to its log and sends it to every follower', () => {
    const c = electedCluster(3);
    const index = c.propose('n1', 'x');
    assert.equal(c.core('n1').status().lastIndex, index);
    c.processReady('n1');
    for (const id of ['n2', 'n3']) {
      const app = c.queued(id, 'app').at(-1);
      assert.deepEqual(app?.entries?.map((e) => e.index), [index]);
    }
  });

  test('5.3: an entry commits once a majority stored it, and the leader then applies it', () => {
    const c = electedCluster(5);
    c.isolate('n4');
    c.isolate('n5');
    const index = c.propose('n1', 'x');
    c.processReady('n1');
    c.drop('n3');
    c.deliver('n2');
    c.processReady('n2');
    c.deliver('n1');
    c.processReady('n1');
    assert.ok(c.core('n1').status().commit < index, 'two of five copies are not a majority');
    c.propose('n1', 'y');
    c.stabilize(['n1', 'n2', 'n3']);
    assert.ok(c.core('n1').status().commit >= index, 'three of five are');
    assert.ok(c.node('n1').appliedData().includes('x'));
  });

  test("5.3: the leader counts its own copy only once it is persisted", () => {
    const c = electedCluster(3);
    c.propose('n1', 'x');
    const rd = c.core('n1').ready();
    // Followers acknowledge before the leader's own fsync finishes...
    for (const m of rd.messagesBeforePersist) c.post(m);
    c.stabilize(['n2', 'n3']);
    c.deliver('n1');
    // ...which is enough: two followers are a majority.
    assert.equal(c.core('n1').status().commit, rd.entries.at(-1)?.index);
    c.node('n1').handleReady(rd);
  });

  test('5.3: committing an entry commits all entries before it', () => {
    const c = electedCluster(3);
    c.isolate('n2');
    c.isolate('n3');
    const first = c.propose('n1', 'a');
    c.propose('n1', 'b');
    const last = c.propose('n1', 'c');
    c.stabilize();
    assert.ok(c.core('n1').status().commit < first);
    c.heal();
    c.tick('n1'); // the heartbeat makes the leader resend what the partition lost
    c.stabilize();
    assert.equal(c.core('n1').status().commit, last);
    assert.deepEqual(c.node('n1').appliedData(), ['a', 'b', 'c']);
  });

  test('5.3: followers apply committed entries in log order', () => {
    const c = electedCluster(3);
    for (const x of ['a', 'b', 'c', 'd']) c.propose('n1', x);
    c.stabilize();
    c.tick('n1');
    c.stabilize();
    for (const id of ['n2', 'n3']) assert.deepEqual(c.node(id).appliedData(), ['a', 'b', 'c', 'd']);
  });

  test('5.3: a follower rejects an append whose previous entry it does not hold (consistency check)', () => {
    const c = new Cluster();
    c.addWithLogs({ n1: [1, 1], n2: [1] });
    const st = c.core('n2').status();
    c.core('n2').step({ type: 'app', from: 'n1', to: 'n2', term: 2, index: 3, logTerm: 1, commit: 0, entries: [{ index: 4, term: 2, kind: 0, data: encoder.encode('x') }] });
    c.processReady('n2');
    const resp = c.queued('n1', 'appResp').at(-1);
    assert.equal(resp?.reject, true);
    assert.equal(c.core('n2').status().lastIndex, st.lastIndex);
  });

  test('5.3: a follower deletes a conflicting entry and all after it, then appends the new ones', () => {
    const c = new Cluster();
    c.addWithLogs({ n1: [1], n2: [1, 2, 2] }, { term: 3 });
    c.core('n2').step({ type: 'app', from: 'n1', to: 'n2', term: 3, index: 2, logTerm: 1, commit: 0, entries: [{ index: 3, term: 3, kind: 0, data: encoder.encode('x') }] });
    assert.deepEqual(c.terms('n2'), [1, 3]);
  });

  test('5.3 (Figure 7): the leader backs up, a term at a time, until every follower log matches its own', () => {
    const leader = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    const c = new Cluster();
    c.addWithLogs(
      {
        n1: leader,
        a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
        b: [1, 1, 1, 4],
        c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
        d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
        e: [1, 1, 1, 4, 4, 4, 4],
        f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
      },
      { term: 7 },
    );
    // n1 wins term 8 with votes from a, b, e (its log is at least as up-to-date as theirs).
    c.core('n1').campaign();
    c.stabilize();
    assert.equal(c.leader(), 'n1');
    c.propose('n1', 'x');
    c.stabilize();
    const expected = c.terms('n1');
    assert.deepEqual(expected.slice(0, leader.length), leader, 'the leader kept its entries');
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) assert.deepEqual(c.terms(id), expected, `${id} matches the leader`);
  });

  test('5.3: a leader never overwrites or deletes entries in its own log', () => {
    const c = new Cluster();
    c.addWithLogs({ n1: [1, 2], n2: [1, 3, 3], n3: [1] }, { term: 3 });
    // n1 cannot win against n2's log, but with n3's vote it can: n3 is behind both.
    c.core('n1').campaign();
    c.stabilize(['n1', 'n3']);
    assert.equal(c.core('n1').status().role, 'leader');
    const before = c.terms('n1');
    c.core('n1').step({ type: 'app', from: 'n2', to: 'n1', term: 3, index: 2, logTerm: 1, commit: 0, entries: [{ index: 3, term: 3, kind: 0, data: encoder.encode('x') }] });
    assert.deepEqual(c.terms('n1'), before, 'a stale append cannot touch the leader log');
  });
});

describe('5.4 Safety', () => {
  const cases: [string, number[], number[], boolean][] = [
    ['a higher last term', [1, 1], [1, 2], true],
    ['a lower last term, even if longer', [1, 2], [1, 1, 1, 1], false],
    ['the same last term and a longer log', [1, 2], [1, 2, 2], true],
    ['the same last term and the same length', [1, 2], [1, 2], true],
    ['the same last term and a shorter log', [1, 2, 2], [1, 2], false],
  ];
  for (const [what, voter, candidate, granted] of cases) {
    test(`5.4.1: a voter ${granted ? 'grants' : 'denies'} its vote to a candidate with ${what}`, () => {
      const c = new Cluster();
      c.addWithLogs({ v: voter, x: candidate }, { term: 3 });
      const last = c.core('x').status().lastIndex;
      c.core('v').step({ type: 'vote', from: 'x', to: 'v', term: 4, index: last, logTerm: c.core('x').termAt(last) });
      c.processReady('v');
      assert.equal(c.queued('x', 'voteResp')[0]?.reject !== true, granted);
    });
  }

  test('5.4.1: a server missing a committed entry cannot be elected', () => {
    const c = electedCluster(3);
    c.isolate('n3');
    const index = c.propose('n1', 'committed');
    c.stabilize();
    assert.ok(c.core('n1').status().commit >= index);
    c.heal();
    c.isolate('n1');
    for (let i = 0; i < 30; i++) {
      c.tick('n3');
      c.stabilize(['n2', 'n3']);
    }
    assert.notEqual(c.core('n3').status().role, 'leader');
    c.core('n2').campaign();
    c.stabilize(['n2', 'n3']);
    assert.equal(c.core('n2').status().role, 'leader', 'the server holding the entry can');
  });

  test('5.4.2 (Figure 8): a leader never commits an entry of an earlier term by counting replicas', () => {
    // s1 led term 2 and wrote index 3 to s2; s5 led term 3 and wrote a different index 3.
    const c = new Cluster();
    c.addWithLogs({ s1: [1, 2], s2: [1, 2], s3: [1], s4: [1], s5: [1, 3] }, { term: 3 });
    c.isolate('s5');
    c.core('s1').campaign();
    c.processReady('s1');
    for (const id of ['s2', 's3', 's4']) {
      c.deliver(id);
      c.processReady(id);
    }
    c.deliver('s1');
    assert.equal(c.core('s1').status().role, 'leader');
    // s1 (term 4) copies the term-2 entry to s2 and s3, but its own no-op reaches no one.
    const withoutCurrentTerm = (id: string): void => {
      for (const m of c.drop(id)) c.core(id).step({ ...m, entries: (m.entries ?? []).filter((e) => e.term !== 4) });
      c.processReady(id);
    };
    for (let round = 0; round < 3; round++) {
      c.processReady('s1');
      withoutCurrentTerm('s2');
      withoutCurrentTerm('s3');
      c.drop('s4');
      c.deliver('s1');
    }
    assert.equal(c.core('s3').termAt(3), 2, 's3 holds the term-2 entry: it is on a majority (s1, s2, s3)');
    assert.ok(c.core('s1').status().commit < 3, 'but it is not committed by counting');
    // Had it been, s5 could still win term 5 (its last term 3 beats theirs) and erase it.
    c.heal();
    c.isolate('s1');
    c.core('s5').campaign(); // term 4 is taken: the refusals teach s5 the term...
    c.stabilize(['s2', 's3', 's4', 's5']);
    c.core('s5').campaign(); // ...and term 5 it wins
    c.stabilize(['s2', 's3', 's4', 's5']);
    assert.equal(c.core('s5').status().role, 'leader');
    assert.equal(c.core('s3').termAt(3), 3, 'index 3 was replaced, which is only safe because it never committed');
  });

  test('5.4.2: entries of earlier terms commit indirectly, with the first entry of the current term', () => {
    const c = new Cluster();
    c.addWithLogs({ n1: [1, 2, 2], n2: [1], n3: [1] }, { term: 2 });
    c.core('n1').campaign();
    c.stabilize();
    assert.equal(c.leader(), 'n1');
    const st = c.core('n1').status();
    assert.equal(st.commit, st.lastIndex, "the no-op of term 3 committed, and with it the term-2 entries");
    assert.deepEqual(c.terms('n2'), c.terms('n1'));
  });
});
