/**
 * The Raft paper, section 6 (cluster membership changes). respraft changes one server at
 * a time (Ongaro's dissertation, 4.1-4.3) rather than with joint consensus; the claims
 * of section 6 that carry over are tested here, plus the single-server rules.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, DEFAULT_TEST_CONFIG, electedCluster, encoder, tickAll } from './harness.js';
import { encodeConfChange } from '../../lib/raft/core/conf-change-codec.js';
import { EntryKind } from '../../lib/raft/core/types.js';

const ET = DEFAULT_TEST_CONFIG.electionTicks;


function voters(c: Cluster, id: string): string[] {
  return c.core(id).status().conf.voters.map((m) => m.id);
}

/** Adds n4 as a learner and lets it catch up. */
function withLearner(c: Cluster): void {
  c.add(['n4'], { join: true });
  const res = c.core('n1').proposeConfChange({ op: 'addLearner', id: 'n4', addr: 'n4:1' });
  assert.ok(res.ok, JSON.stringify(res));
  c.stabilize();
  c.tick('n1');
  c.stabilize();
}

describe('6 Cluster membership changes', () => {
  test('6: a server uses the latest configuration in its log, whether or not it is committed', () => {
    const c = electedCluster(3);
    c.isolate('n2');
    c.isolate('n3');
    const res = c.core('n1').proposeConfChange({ op: 'addLearner', id: 'n4', addr: 'n4:1' });
    assert.ok(res.ok);
    assert.ok(c.core('n1').status().commit < res.index, 'not committed');
    assert.deepEqual(c.core('n1').status().conf.learners.map((m) => m.id), ['n4'], 'yet in effect');
  });

  test('6: a configuration entry that is truncated from the log takes its configuration with it', () => {
    const c = electedCluster(3);
    const st = c.core('n2').status();
    const change = { index: st.lastIndex + 1, term: st.term, kind: EntryKind.ConfChange, data: encodeConfChange({ op: 'addLearner', id: 'n9', addr: 'n9:1' }) };
    c.core('n2').step({ type: 'app', from: 'n1', to: 'n2', term: st.term, index: st.lastIndex, logTerm: st.term, commit: st.commit, entries: [change] });
    assert.equal(c.core('n2').status().conf.learners.length, 1);
    // A new leader of a later term overwrites that uncommitted entry.
    const normal = { index: st.lastIndex + 1, term: st.term + 1, kind: EntryKind.Normal, data: encoder.encode('x') };
    c.core('n2').step({ type: 'app', from: 'n3', to: 'n2', term: st.term + 1, index: st.lastIndex, logTerm: st.term, commit: st.commit, entries: [normal] });
    assert.equal(c.core('n2').status().conf.learners.length, 0, 'back to the previous configuration');
  });

  test('6: new servers join as non-voting members (learners) that receive the log but do not count toward a majority', () => {
    const c = electedCluster(3);
    const x = c.propose('n1', 'before');
    c.stabilize();
    withLearner(c);
    assert.equal(c.core('n4').status().role, 'learner');
    assert.ok(c.node('n4').appliedData().includes('before'), 'the learner caught up');
    assert.ok(c.core('n4').status().commit >= x);
    c.isolate('n2');
    c.isolate('n3');
    const y = c.propose('n1', 'after');
    c.stabilize();
    assert.ok(c.core('n1').status().commit < y, 'leader + learner are not a majority');
  });

  test('6: a learner never campaigns', () => {
    const c = electedCluster(3);
    withLearner(c);
    c.isolate('n4');
    c.tick('n4', 10 * ET);
    assert.equal(c.core('n4').status().role, 'learner');
    assert.equal(c.core('n4').status().term, c.core('n1').status().term);
  });

  test('4.2.1: a learner is promoted once it caught up, and then votes and counts', () => {
    const c = electedCluster(3);
    withLearner(c);
    const res = c.core('n1').proposeConfChange({ op: 'promote', id: 'n4', addr: '' });
    assert.ok(res.ok, JSON.stringify(res));
    c.stabilize();
    assert.deepEqual(voters(c, 'n1').sort(), ['n1', 'n2', 'n3', 'n4']);
    assert.equal(c.core('n4').status().role, 'follower');
    c.isolate('n2');
    const y = c.propose('n1', 'with n3 and n4');
    c.stabilize();
    assert.ok(c.core('n1').status().commit >= y, '3 of 4 voters');
  });

  test('4.2.1: a learner that has not caught up cannot be promoted', () => {
    const c = electedCluster(3);
    c.add(['n4'], { join: true });
    c.isolate('n4');
    assert.ok(c.core('n1').proposeConfChange({ op: 'addLearner', id: 'n4', addr: 'n4:1' }).ok);
    c.stabilize();
    const res = c.core('n1').proposeConfChange({ op: 'promote', id: 'n4', addr: '' });
    assert.equal(res.ok, false);
  });

  test('4.1: at most one configuration change is uncommitted at a time', () => {
    const c = electedCluster(3);
    c.isolate('n2');
    c.isolate('n3');
    assert.ok(c.core('n1').proposeConfChange({ op: 'addLearner', id: 'n4', addr: 'n4:1' }).ok);
    const second = c.core('n1').proposeConfChange({ op: 'addLearner', id: 'n5', addr: 'n5:1' });
    assert.deepEqual(second.ok ? null : second.reason, 'confChangeInProgress');
  });

  test("4.1 (Ongaro's fix): a new leader makes no configuration change before it commits an entry of its term", () => {
    const c = electedCluster(3);
    c.isolate('n1');
    c.core('n2').campaign();
    c.stabilize(['n2']);
    c.deliver('n3');
    c.processReady('n3');
    c.deliver('n2');
    assert.equal(c.core('n2').status().role, 'leader');
    const res = c.core('n2').proposeConfChange({ op: 'remove', id: 'n1', addr: '' });
    assert.deepEqual(res.ok ? null : res.reason, 'confChangeInProgress');
    c.stabilize(['n2', 'n3']);
    assert.ok(c.core('n2').proposeConfChange({ op: 'remove', id: 'n1', addr: '' }).ok, 'allowed once its no-op committed');
  });

  test('4.2.2: a leader removed from the configuration keeps leading until the change commits, then steps down', () => {
    const c = electedCluster(3);
    const res = c.core('n1').proposeConfChange({ op: 'remove', id: 'n1', addr: '' });
    assert.ok(res.ok);
    assert.equal(c.core('n1').status().role, 'leader', 'still leading while the change replicates');
    c.stabilize();
    assert.notEqual(c.core('n1').status().role, 'leader');
    assert.deepEqual(voters(c, 'n2').sort(), ['n2', 'n3']);
    // It handed over: one of the remaining voters leads without waiting for a timeout.
    assert.ok(['n2', 'n3'].includes(c.leader() ?? ''), `leader is ${c.leader()}`);
  });

  test('6: a removed server stops campaigning and cannot disrupt the cluster', () => {
    const c = electedCluster(3, { preVote: true, checkQuorum: true });
    assert.ok(c.core('n1').proposeConfChange({ op: 'remove', id: 'n3', addr: '' }).ok);
    c.stabilize();
    const term = c.core('n1').status().term;
    tickAll(c, 10 * ET);
    assert.equal(c.leader(), 'n1');
    assert.equal(c.core('n1').status().term, term);
    assert.equal(c.core('n3').status().role, 'follower', 'n3 received its removal, so it never campaigned');
    assert.equal(c.core('n3').status().conf.voters.some((m) => m.id === 'n3'), false);
  });

  test('6: a removed server that missed its removal may try, but pre-vote keeps it from disrupting the cluster', () => {
    const c = electedCluster(3, { preVote: true, checkQuorum: true });
    c.isolate('n3');
    assert.ok(c.core('n1').proposeConfChange({ op: 'remove', id: 'n3', addr: '' }).ok);
    c.stabilize();
    c.heal();
    const term = c.core('n1').status().term;
    tickAll(c, 10 * ET);
    assert.equal(c.leader(), 'n1');
    assert.equal(c.core('n1').status().term, term);
  });

  test('6: servers disregard vote requests while they believe a leader exists (the leader lease with check-quorum)', () => {
    const c = electedCluster(3, { checkQuorum: true });
    const term = c.core('n2').status().term;
    const last = c.core('n2').status().lastIndex;
    c.core('n2').step({ type: 'vote', from: 'n9', to: 'n2', term: term + 1, index: last + 10, logTerm: term + 1 });
    assert.equal(c.core('n2').status().term, term, 'the request did not even bump the term');
    assert.equal(c.core('n2').status().leader, 'n1');
  });
});
