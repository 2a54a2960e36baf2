/**
 * The Raft paper, section 7 (log compaction: snapshots, InstallSnapshot in chunks) and
 * section 8 (client interaction: read-only operations), plus leadership transfer
 * (dissertation 3.10).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, electedCluster, encoder } from './harness.js';


function fill(c: Cluster, count: number, prefix = 'v'): void {
  for (let i = 0; i < count; i++) c.propose('n1', `${prefix}${i}`);
  c.stabilize();
}

describe('7 Log compaction', () => {
  test('7: each server snapshots on its own; the snapshot records the last included index and term, and the configuration', () => {
    const c = electedCluster(3);
    fill(c, 5);
    const n2 = c.node('n2');
    n2.takeSnapshot();
    const meta = n2.snapshots.latest()?.meta;
    assert.equal(meta?.index, n2.appliedIndex);
    assert.equal(meta?.term, c.core('n2').termAt(n2.appliedIndex));
    assert.deepEqual(meta?.conf.voters.map((m) => m.id), ['n1', 'n2', 'n3']);
    assert.equal(n2.log.firstIndex(), n2.appliedIndex + 1, 'the log was compacted');
    assert.equal(c.node('n1').snapshots.latest(), null, 'other servers decide for themselves');
  });

  test('7: a restarted server recovers from its snapshot plus the log after it, configuration included', () => {
    const c = electedCluster(3);
    fill(c, 5, 'a');
    assert.ok(c.core('n1').proposeConfChange({ op: 'addLearner', id: 'n9', addr: 'n9:1' }).ok);
    c.stabilize();
    c.node('n2').takeSnapshot();
    fill(c, 3, 'b');
    c.node('n2').restart();
    c.stabilize();
    c.tick('n1');
    c.stabilize();
    assert.deepEqual(c.node('n2').appliedData(), c.node('n1').appliedData());
    assert.deepEqual(c.core('n2').status().conf.learners.map((m) => m.id), ['n9']);
  });

  test('7: the leader sends a snapshot, in chunks, to a follower that needs compacted entries', () => {
    const c = electedCluster(3, { snapshotChunkBytes: 16, maxInflightSnapshotChunks: 2 });
    c.isolate('n3');
    fill(c, 20);
    c.node('n1').takeSnapshot();
    c.heal();
    c.tick('n1');
    let chunks = 0;
    c.stabilize(undefined, (what, id, detail) => {
      if (what === 'deliver' && id === 'n3') chunks += (detail as { type: string }[]).filter((m) => m.type === 'snap').length;
    });
    const size = c.node('n1').snapshots.latest()?.size ?? 0;
    assert.ok(size > 16 * 3, `the snapshot (${size} bytes) spans several chunks`);
    assert.ok(chunks >= Math.ceil(size / 16), `received ${chunks} chunks`);
    assert.deepEqual(c.node('n3').appliedData(), c.node('n1').appliedData());
    assert.equal(c.core('n1').status().progress?.get('n3')?.state, 'replicate');
  });

  test('7: a lost chunk is sent again and the follower still assembles the snapshot', () => {
    const c = electedCluster(3, { snapshotChunkBytes: 16, maxInflightSnapshotChunks: 4 });
    c.isolate('n3');
    fill(c, 20);
    c.node('n1').takeSnapshot();
    c.heal();
    c.tick('n1');
    c.processReady('n1');
    let dropped = false;
    for (let round = 0; round < 200 && c.node('n3').appliedData().length < 20; round++) {
      const box = c.drop('n3');
      for (const m of box) {
        if (m.type === 'snap' && m.chunk !== undefined && m.chunk.offset > 0 && !dropped) {
          dropped = true; // lose one chunk in the middle
          continue;
        }
        c.core('n3').step(m);
      }
      c.stabilize(['n1', 'n2']);
      c.processReady('n3');
      c.deliver('n1');
      c.processReady('n1');
      c.tick('n1');
    }
    assert.ok(dropped);
    assert.deepEqual(c.node('n3').appliedData(), c.node('n1').appliedData());
  });

  test('7: a snapshot that describes a prefix of the follower log keeps the entries after it', () => {
    const c = electedCluster(3);
    fill(c, 5);
    const n2 = c.core('n2');
    const st = n2.status();
    c.node('n1').takeSnapshot();
    const meta = c.node('n1').snapshots.latest()?.meta;
    assert.ok(meta !== undefined && meta.index <= st.lastIndex);
    const data = c.node('n1').snapshots.readRaw(0, 1 << 20);
    n2.step({ type: 'snap', from: 'n1', to: 'n2', term: st.term, snapshot: meta, chunk: { offset: 0, totalBytes: data.byteLength, data } });
    assert.equal(n2.status().lastIndex, st.lastIndex, 'nothing was discarded');
    assert.equal(n2.hasReady() && n2.ready().snapshot, null, 'and no snapshot needs installing');
  });

  test('7: a follower whose log the snapshot supersedes discards its log and installs the snapshot', () => {
    const c = electedCluster(3);
    c.isolate('n3');
    fill(c, 5);
    c.node('n1').takeSnapshot();
    const meta = c.node('n1').snapshots.latest()?.meta;
    assert.ok(meta !== undefined);
    const data = c.node('n1').snapshots.readRaw(0, 1 << 20);
    const n3 = c.core('n3');
    n3.step({ type: 'snap', from: 'n1', to: 'n3', term: c.core('n1').status().term, snapshot: meta, chunk: { offset: 0, totalBytes: data.byteLength, data } });
    const rd = n3.ready();
    assert.equal(rd.snapshot?.meta.index, meta.index);
    assert.equal(rd.entries.length, 0);
    assert.equal(n3.status().lastIndex, meta.index);
    c.node('n3').handleReady(rd);
    assert.deepEqual(c.node('n3').appliedData(), c.node('n1').appliedData());
  });
});

describe('8 Client interaction: read-only operations (ReadIndex)', () => {
  const ctx = (s: string): Uint8Array => encoder.encode(s);

  test('8: a new leader answers reads only after committing an entry of its term', () => {
    const c = electedCluster(3);
    c.core('n3').campaign();
    c.processReady('n3');
    c.deliver('n1');
    c.processReady('n1');
    c.deliver('n3');
    assert.equal(c.core('n3').status().role, 'leader');
    c.core('n3').readIndex(ctx('early'));
    c.processReady('n3');
    assert.equal(c.node('n3').readStates.length, 0, 'deferred: its commit index may be stale');
    c.stabilize();
    assert.equal(c.node('n3').readStates.length, 1);
    assert.equal(c.node('n3').readStates[0]?.index, c.core('n3').status().commit);
  });

  test('8: the leader confirms it is still the leader with a heartbeat round before answering a read', () => {
    const c = electedCluster(3);
    c.core('n1').readIndex(ctx('r1'));
    c.processReady('n1');
    assert.equal(c.node('n1').readStates.length, 0);
    assert.ok(c.queued('n2', 'heartbeat').length > 0);
    c.drop('n2');
    c.drop('n3');
    c.processReady('n1');
    assert.equal(c.node('n1').readStates.length, 0, 'no answer without a majority');
    c.tick('n1'); // the periodic heartbeat carries the pending round again
    c.stabilize();
    assert.equal(c.node('n1').readStates.length, 1);
  });

  test('8: one heartbeat round serves every read that arrived before it (batching)', () => {
    const c = electedCluster(3);
    for (let i = 0; i < 50; i++) c.core('n1').readIndex(ctx(`r${i}`));
    let heartbeats = 0;
    c.stabilize(undefined, (what, id, detail) => {
      if (what === 'deliver' && id === 'n2') heartbeats += (detail as { type: string }[]).filter((m) => m.type === 'heartbeat').length;
    });
    assert.equal(c.node('n1').readStates.length, 50);
    assert.equal(heartbeats, 1);
  });

  test('8: a deposed leader cannot answer reads (a majority no longer confirms it)', () => {
    const c = electedCluster(3);
    c.isolate('n1');
    c.core('n2').campaign();
    c.stabilize(['n2', 'n3']);
    c.core('n1').readIndex(ctx('stale'));
    c.stabilize();
    c.heal();
    c.tick('n1');
    c.stabilize();
    assert.equal(c.node('n1').readStates.length, 0);
    assert.equal(c.core('n1').status().role, 'follower');
  });

  test('8: a follower gets a read index from the leader', () => {
    const c = electedCluster(3);
    fill(c, 3);
    c.core('n3').readIndex(ctx('f1'));
    c.stabilize();
    const rs = c.node('n3').readStates;
    assert.equal(rs.length, 1);
    assert.equal(rs[0]?.index, c.core('n1').status().commit);
  });
});

describe('Leadership transfer (dissertation 3.10)', () => {
  test('3.10: the leader brings the target up to date, sends timeoutNow, and the target wins at once', () => {
    const c = electedCluster(3, { preVote: true, checkQuorum: true });
    c.isolate('n3');
    fill(c, 3);
    c.heal();
    const res = c.core('n1').transferLeadership('n3');
    assert.ok(res.ok);
    assert.deepEqual(c.core('n1').propose(encoder.encode('x')), { ok: false, reason: 'transferring' });
    c.stabilize();
    assert.equal(c.leader(), 'n3');
    assert.deepEqual(c.node('n3').appliedData(), c.node('n1').appliedData());
  });

  test('3.10: a transfer that does not finish within an election timeout is abandoned', () => {
    const c = electedCluster(3);
    c.isolate('n3');
    assert.ok(c.core('n1').transferLeadership('n3').ok);
    for (let i = 0; i < 10; i++) {
      c.tick('n1');
      c.stabilize();
    }
    assert.equal(c.core('n1').status().transferee, null);
    assert.equal(c.leader(), 'n1');
    assert.ok(c.core('n1').propose(encoder.encode('x')).ok);
  });

  test('3.10: transferring to nobody in particular picks the most up-to-date voter', () => {
    const c = electedCluster(3);
    c.isolate('n2');
    fill(c, 2);
    c.heal();
    assert.ok(c.core('n1').transferLeadership(null).ok);
    assert.equal(c.core('n1').status().transferee, 'n3');
  });
});
