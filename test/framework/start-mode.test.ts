/** How a node decides to bootstrap, join or restart (never a second cluster by accident). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearJoinPending, decideStartMode, inspectDataDir, markJoinPending, StartModeError } from '../../lib/framework/start-mode.js';

test('an empty or missing data dir without -j bootstraps; with -j it joins', () => {
  assert.deepEqual(decideStartMode({ empty: true, pendingJoin: null }, false, null, 'd'), { kind: 'bootstrap' });
  assert.deepEqual(decideStartMode({ empty: true, pendingJoin: null }, false, 'a:1', 'd'), { kind: 'join', target: 'a:1' });
});

test('a node with state restarts and ignores -j', () => {
  assert.deepEqual(decideStartMode({ empty: false, pendingJoin: null }, true, null, 'd'), { kind: 'restart' });
  assert.deepEqual(decideStartMode({ empty: false, pendingJoin: null }, true, 'a:1', 'd'), { kind: 'restart' });
});

test('an unfinished join goes on joining its recorded target, even restarted without -j', () => {
  assert.deepEqual(decideStartMode({ empty: false, pendingJoin: 'a:1' }, false, null, 'd'), { kind: 'join', target: 'a:1' });
  assert.deepEqual(decideStartMode({ empty: false, pendingJoin: 'a:1' }, true, null, 'd'), { kind: 'join', target: 'a:1' });
  assert.deepEqual(decideStartMode({ empty: false, pendingJoin: 'a:1' }, true, 'b:2', 'd'), { kind: 'join', target: 'b:2' });
});

test('files without Raft state and without a pending join are refused, never bootstrapped', () => {
  assert.throws(() => decideStartMode({ empty: false, pendingJoin: null }, false, null, '/x'), (err: unknown) => err instanceof StartModeError && /\/x holds files but no Raft state/.test(err.message));
});

test('the marker is durable, read back, and cleared', () => {
  const dir = mkdtempSync(join(tmpdir(), 'startmode-'));
  try {
    assert.deepEqual(inspectDataDir(join(dir, 'missing')), { empty: true, pendingJoin: null });
    assert.deepEqual(inspectDataDir(dir), { empty: true, pendingJoin: null });
    markJoinPending(dir, '127.0.0.1:11001');
    assert.deepEqual(inspectDataDir(dir), { empty: false, pendingJoin: '127.0.0.1:11001' });
    clearJoinPending(dir);
    writeFileSync(join(dir, 'other'), 'x');
    assert.deepEqual(inspectDataDir(dir), { empty: false, pendingJoin: null });
    assert.equal(existsSync(join(dir, 'join-pending')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
