/**
 * Small pieces of the core and its storage view: codecs, configuration checks, the
 * majority arithmetic, start-up validation and recovery of the configuration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRaftNode, decodeConfChange, encodeConfChange, type RaftConfig } from '../../lib/raft/core/index.js';
import { majorityValue, voteResult } from '../../lib/raft/core/quorum.js';
import { applyChange, validateChange } from '../../lib/raft/core/membership.js';
import { decodeRound, encodeRound } from '../../lib/raft/core/read-index.js';
import { MemoryLogStore } from '../../lib/raft/storage/memory-log.js';
import { MemoryStableStore } from '../../lib/raft/storage/memory-stable.js';
import { MemorySnapshotStore } from '../../lib/raft/storage/memory-snapshots.js';
import { createRaftStorageView } from '../../lib/raft/storage/raft-storage-view.js';
import { rngFromSeed } from '../../lib/util/rng.js';
import { DEFAULT_TEST_CONFIG, electedCluster } from './harness.js';

const conf3 = { voters: ['a', 'b', 'c'].map((id) => ({ id, addr: `${id}:1` })), learners: [] };

function config(overrides: Partial<RaftConfig> = {}): RaftConfig {
  const storage = createRaftStorageView(new MemoryLogStore(), new MemoryStableStore(), new MemorySnapshotStore(), conf3);
  return { ...DEFAULT_TEST_CONFIG, id: 'a', storage, applied: 0, rng: rngFromSeed(1), ...overrides };
}

test('conf changes round-trip and malformed ones are refused', () => {
  const c = { op: 'addLearner', id: 'n4', addr: '10.0.0.4:7379' } as const;
  assert.deepEqual(decodeConfChange(encodeConfChange(c)), c);
  assert.throws(() => decodeConfChange(new TextEncoder().encode('{"op":"explode","id":"x","addr":""}')), /unknown op/);
  assert.throws(() => decodeConfChange(new TextEncoder().encode('[]')));
});

test('read rounds survive the trip through a heartbeat context, up to 2^53', () => {
  for (const n of [1, 255, 65536, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) assert.equal(decodeRound(encodeRound(n)), n);
  assert.equal(decodeRound(new Uint8Array(3)), 0);
  assert.equal(decodeRound(undefined), 0);
});

test('majority arithmetic: the commit index is what a majority has reached', () => {
  const m = new Map([['a', 5], ['b', 9], ['c', 7], ['d', 1], ['e', 9]]);
  assert.equal(majorityValue(['a', 'b', 'c'], (id) => m.get(id) ?? 0), 7);
  assert.equal(majorityValue(['a', 'b', 'c', 'd'], (id) => m.get(id) ?? 0), 5);
  assert.equal(majorityValue(['a', 'b', 'c', 'd', 'e'], (id) => m.get(id) ?? 0), 7);
  assert.equal(majorityValue([], () => 1), 0);
  assert.equal(voteResult(['a', 'b', 'c'], new Map([['a', true], ['x', true]])), 'pending', 'a non-voter does not count');
  assert.equal(voteResult(['a', 'b', 'c'], new Map([['a', false], ['b', false]])), 'lost');
});

test('configuration changes are validated against the current configuration', () => {
  assert.equal(validateChange(conf3, { op: 'addLearner', id: 'a', addr: 'x' }), 'a is already a member');
  assert.equal(validateChange(conf3, { op: 'promote', id: 'a', addr: '' }), 'a is not a learner');
  assert.equal(validateChange(conf3, { op: 'remove', id: 'z', addr: '' }), 'z is not a member');
  assert.equal(validateChange({ voters: [{ id: 'a', addr: '' }], learners: [] }, { op: 'remove', id: 'a', addr: '' }), 'cannot remove the last voter');
  assert.equal(validateChange(conf3, { op: 'addLearner', id: 'd', addr: '' }), 'addLearner needs an address');
  const withD = applyChange(conf3, { op: 'addLearner', id: 'd', addr: 'd:1' });
  const promoted = applyChange(withD, { op: 'promote', id: 'd', addr: '' });
  assert.deepEqual(promoted.voters.map((m) => m.id), ['a', 'b', 'c', 'd']);
  assert.deepEqual(promoted.voters[3], { id: 'd', addr: 'd:1' }, 'promotion keeps the address');
});

test('bad settings are refused at creation with a precise message', () => {
  assert.throws(() => createRaftNode(config({ electionTicks: 1, heartbeatTicks: 1 })), /electionTicks \(1\) must be greater than heartbeatTicks/);
  assert.throws(() => createRaftNode(config({ maxInflightMsgs: 0 })), /maxInflightMsgs must be a positive integer/);
  assert.throws(() => createRaftNode(config({ applied: 7 })), /applied 7 must be within/);
});

test('a bootstrap configuration is ignored once the stores hold anything', () => {
  const c = electedCluster(3);
  const node = c.node('n2');
  const other = { voters: [{ id: 'zz', addr: 'zz:1' }], learners: [] };
  const storage = createRaftStorageView(node.log, node.stable, node.snapshots, other);
  const core = createRaftNode({ ...DEFAULT_TEST_CONFIG, id: 'n2', storage, applied: 0, rng: rngFromSeed(2) });
  assert.deepEqual(core.status().conf.voters.map((m) => m.id), ['n1', 'n2', 'n3'], 'rebuilt from the log');
  assert.equal(core.status().term, c.core('n2').status().term);
});

test('the storage view refuses a log that does not continue the newest snapshot', async () => {
  const log = new MemoryLogStore();
  const snapshots = new MemorySnapshotStore();
  const writer = snapshots.create({ index: 10, term: 2, conf: conf3 });
  writer.writeBatch([]);
  await writer.commit();
  log.append([{ index: 1, term: 1, kind: 0, data: new Uint8Array() }]);
  assert.throws(() => createRaftStorageView(log, new MemoryStableStore(), snapshots), /ends before the snapshot.*reconcileLogWithSnapshot/);
});
