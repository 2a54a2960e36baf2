/**
 * The Raft paper (Ongaro & Ousterhout, "In Search of an Understandable Consensus
 * Algorithm"), sections 5.1 and 5.2: terms and leader election. One test per claim; the
 * section is in each test's name. Pre-vote and check-quorum are off unless a test is
 * about them, so the behaviour is the paper's.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, DEFAULT_TEST_CONFIG, tickAll } from './harness.js';
import type { Message } from '../../lib/raft/core/types.js';

const ET = DEFAULT_TEST_CONFIG.electionTicks;

function threeNodes(): Cluster {
  const c = new Cluster();
  c.add(['n1', 'n2', 'n3']);
  c.stabilize();
  return c;
}

describe('5.1 Raft basics', () => {
  test('5.1: servers start up as followers', () => {
    const c = threeNodes();
    for (const id of ['n1', 'n2', 'n3']) assert.equal(c.core(id).status().role, 'follower');
  });

  for (const role of ['follower', 'candidate', 'leader'] as const) {
    test(`5.1: a ${role} that sees a larger term adopts it and reverts to follower`, () => {
      const c = threeNodes();
      if (role === 'leader') c.elect('n1');
      if (role === 'candidate') c.core('n1').campaign();
      assert.equal(c.core('n1').status().role, role);
      const term = c.core('n1').status().term;
      c.core('n1').step({ type: 'heartbeat', from: 'n3', to: 'n1', term: term + 5, commit: 0 });
      const st = c.core('n1').status();
      assert.equal(st.term, term + 5);
      assert.equal(st.role, 'follower');
      assert.equal(st.leader, 'n3');
    });
  }

  test('5.1: a request with a stale term is rejected and the sender learns the newer term', () => {
    const c = threeNodes();
    c.elect('n1');
    c.elect('n2');
    const before = c.core('n2').status();
    c.core('n2').step({ type: 'app', from: 'n1', to: 'n2', term: before.term - 1, index: before.lastIndex, logTerm: before.term, commit: 0, entries: [{ index: before.lastIndex + 1, term: before.term - 1, kind: 0, data: new Uint8Array(1) }] });
    assert.equal(c.core('n2').status().lastIndex, before.lastIndex, 'the stale append changed nothing');
    c.processReady('n2');
    const answer = c.queued('n1', 'appResp').at(-1);
    assert.equal(answer?.term, before.term, 'the answer carries the newer term');
  });
});

describe('5.2 Leader election', () => {
  test('5.2: a leader sends periodic heartbeats to every follower', () => {
    const c = threeNodes();
    c.elect('n1');
    c.tick('n1', DEFAULT_TEST_CONFIG.heartbeatTicks);
    c.processReady('n1');
    assert.equal(c.queued('n2', 'heartbeat').length, 1);
    assert.equal(c.queued('n3', 'heartbeat').length, 1);
  });

  test('5.2: a follower that hears nothing for an election timeout increments its term, votes for itself and asks everyone', () => {
    const c = threeNodes();
    const term = c.core('n1').status().term;
    c.tick('n1', 2 * ET);
    const st = c.core('n1').status();
    assert.equal(st.role, 'candidate');
    assert.equal(st.term, term + 1);
    assert.equal(st.vote, 'n1');
    c.processReady('n1');
    for (const id of ['n2', 'n3']) {
      const votes = c.queued(id, 'vote');
      assert.equal(votes.length, 1);
      assert.equal(votes[0]?.term, term + 1);
    }
  });

  test('5.2: a follower that keeps hearing from the leader stays a follower', () => {
    const c = threeNodes();
    c.elect('n1');
    for (let i = 0; i < 5 * ET; i++) {
      c.tick('n1');
      c.stabilize();
      c.tick('n2');
    }
    assert.equal(c.core('n2').status().role, 'follower');
    assert.equal(c.leader(), 'n1');
  });

  const outcomes: [number, boolean[], 'leader' | 'candidate' | 'follower'][] = [
    [3, [true, true], 'leader'],
    [3, [true, false], 'leader'],
    [3, [false, false], 'follower'],
    [5, [true, true, false, false], 'leader'],
    [5, [true, false, false, false], 'follower'],
    [5, [true, false], 'candidate'],
  ];
  for (const [size, answers, expected] of outcomes) {
    test(`5.2: with ${size} servers and answers [${answers.join(',')}] the candidate ends as ${expected} (majority wins)`, () => {
      const c = new Cluster();
      const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
      c.add(ids);
      c.stabilize();
      c.core('n1').campaign();
      // Its own vote counts once durable (asyncPersistence waits for persisted()).
      c.processReady('n1');
      const term = c.core('n1').status().term;
      answers.forEach((granted, i) => {
        const m: Message = { type: 'voteResp', from: `n${i + 2}`, to: 'n1', term, ...(granted ? {} : { reject: true }) };
        c.core('n1').step(m);
      });
      assert.equal(c.core('n1').status().role, expected);
    });
  }

  test('5.2: each server votes for at most one candidate in a term, first come first served', () => {
    const c = threeNodes();
    const term = c.core('n1').status().term + 1;
    const last = c.core('n1').status().lastIndex;
    const ask = (from: string): Message => ({ type: 'vote', from, to: 'n1', term, index: last, logTerm: 1 });
    c.core('n1').step(ask('n2'));
    c.core('n1').step(ask('n3'));
    c.core('n1').step(ask('n2'));
    c.processReady('n1');
    assert.equal(c.queued('n2', 'voteResp').every((m) => m.reject !== true), true, 'n2 got the vote (twice, idempotently)');
    assert.equal(c.queued('n3', 'voteResp')[0]?.reject, true, 'n3 was refused');
    assert.equal(c.core('n1').status().vote, 'n2');
  });

  test('5.2: a candidate that receives AppendEntries from a leader of its term returns to follower', () => {
    const c = threeNodes();
    c.core('n1').campaign();
    const term = c.core('n1').status().term;
    c.core('n1').step({ type: 'app', from: 'n2', to: 'n1', term, index: 0, logTerm: 0, commit: 0, entries: [] });
    const st = c.core('n1').status();
    assert.equal(st.role, 'follower');
    assert.equal(st.leader, 'n2');
  });

  test('5.2: election timeouts are randomized within [ET, 2*ET)', () => {
    const c = new Cluster();
    const ids = Array.from({ length: 40 }, (_, i) => `n${i + 1}`);
    c.add(ids);
    c.stabilize();
    const seen = new Set<number>();
    for (const id of ids) {
      let ticks = 0;
      while (c.core(id).status().role === 'follower') {
        c.tick(id);
        ticks++;
        assert.ok(ticks < 2 * ET, `campaigned only after ${ticks} ticks`);
      }
      assert.ok(ticks >= ET, `campaigned after ${ticks} ticks, before the base timeout`);
      seen.add(ticks);
    }
    assert.ok(seen.size >= 5, `timeouts should spread out; saw ${[...seen].join(',')}`);
  });

  test('5.2: a candidate that neither wins nor loses starts a new election when it times out (split votes resolve)', () => {
    const c = threeNodes();
    c.core('n1').campaign();
    const term = c.core('n1').status().term;
    c.drop('n2');
    c.tick('n1', 2 * ET);
    assert.equal(c.core('n1').status().role, 'candidate');
    assert.equal(c.core('n1').status().term, term + 1);
  });

  test('5.2 / dissertation 9.6: with pre-vote, a partitioned server does not inflate its term or disrupt the leader when it returns', () => {
    const c = new Cluster({ preVote: true, checkQuorum: true });
    c.add(['n1', 'n2', 'n3']);
    c.stabilize();
    c.elect('n1');
    const term = c.core('n1').status().term;
    c.isolate('n3');
    for (let i = 0; i < 10 * ET; i++) {
      c.tick('n3');
      c.stabilize();
    }
    assert.equal(c.core('n3').status().term, term, 'pre-vote failed, so the term stayed');
    c.heal();
    tickAll(c, 3 * ET);
    assert.equal(c.leader(), 'n1');
    assert.equal(c.core('n1').status().term, term);
  });

  test('5.2 / dissertation 6.2: with check-quorum, a leader that hears from no majority for an election timeout steps down', () => {
    const c = new Cluster({ checkQuorum: true });
    c.add(['n1', 'n2', 'n3']);
    c.stabilize();
    c.elect('n1');
    c.isolate('n1');
    for (let i = 0; i < 2 * ET; i++) {
      c.tick('n1');
      c.stabilize();
    }
    assert.equal(c.core('n1').status().role, 'follower');
  });
});
