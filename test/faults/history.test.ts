import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJsonLines, parseHistory, readHistory, writeHistory, type History } from './history.js';
import { Recorder } from './recorder.js';

function sample(): History {
  return {
    meta: { kind: 'meta', workload: 'register', command: 'npm run faults', seed: 42 },
    nemesis: [{ kind: 'nemesis', nemesis: 'kill', label: 'kill -9 n1', startMs: 5, endMs: 9, detail: { node: 1 } }],
    ops: [
      { kind: 'op', id: 0, process: 1, f: 'set', key: 'x', arg: 'a', invokeMs: 0, completeMs: 1.5, outcome: 'ok', result: 'OK' },
      { kind: 'op', id: 1, process: 2, f: 'get', key: 'x', invokeMs: 2, completeMs: 3000, outcome: 'unknown', error: 'no reply' },
      { kind: 'op', id: 2, process: 3, f: 'read', key: 'c', invokeMs: 4, completeMs: 5, outcome: 'ok', result: 7, final: true },
    ],
  };
}

/** A Redis error reply as ioredis raises it. */
function replyError(message: string): Error {
  const err = new Error(message);
  err.name = 'ReplyError';
  return err;
}

describe('history JSON lines', () => {
  test('round-trips through text and through a file', async () => {
    const history = sample();
    assert.deepEqual(parseHistory(historyToJsonLines(history)), history);
    const dir = await mkdtemp(join(tmpdir(), 'respraft-history-'));
    try {
      const path = join(dir, 'history.jsonl');
      await writeHistory(path, history);
      assert.deepEqual(await readHistory(path), history);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a torn last line (the run died mid-write) is dropped; a bad line elsewhere is an error', async () => {
    const text = historyToJsonLines(sample());
    const torn = `${text}{"kind":"op","id":3,"pro`;
    assert.equal(parseHistory(torn).ops.length, 3);
    const lines = text.split('\n');
    lines.splice(1, 0, '{not json');
    assert.throws(() => parseHistory(lines.join('\n')), /history line 2/);
    const dir = await mkdtemp(join(tmpdir(), 'respraft-history-'));
    try {
      const path = join(dir, 'torn.jsonl');
      await writeFile(path, `${torn}\n\n`);
      assert.equal((await readHistory(path)).ops.length, 3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('records missing required fields are rejected with the reason', () => {
    assert.throws(() => parseHistory('{"kind":"op","id":1}\n{}\n'), /line 1: op without a numeric process/);
    assert.throws(() => parseHistory('{"kind":"op","id":1,"process":1,"invokeMs":0,"completeMs":1,"f":"get","key":"x","outcome":"maybe"}\n{}'), /outcome must be ok, fail or unknown/);
  });
});

describe('recorder', () => {
  test('classifies replies, definite errors, other errors and time-outs', async () => {
    const recorder = new Recorder({ timeoutMs: 30 });
    const ok = await recorder.record({ process: 1, f: 'set', key: 'x', arg: 'a' }, async () => 'OK', (v) => v);
    const fail = await recorder.record({ process: 1, f: 'incr', key: 'x' }, () => Promise.reject(replyError('ERR value is not an integer or out of range')), () => null);
    const moved = await recorder.record({ process: 1, f: 'set', key: 'x' }, () => Promise.reject(replyError('TRYAGAIN leader changed')), () => null);
    const uncertain = await recorder.record({ process: 1, f: 'set', key: 'x' }, () => Promise.reject(replyError('UNCERTAIN no result within 4000 ms')), () => null);
    const dropped = await recorder.record({ process: 2, f: 'get', key: 'x' }, () => Promise.reject(new Error('Connection is closed.')), () => null);
    const hung = await recorder.record({ process: 3, f: 'get', key: 'x' }, () => new Promise<string>(() => undefined), (v) => v);
    // TRYAGAIN promises the command was not applied; UNCERTAIN promises nothing.
    const outcomes = [ok, fail, moved, uncertain, dropped, hung].map((r) => r.outcome);
    assert.deepEqual(outcomes, ['ok', 'fail', 'fail', 'unknown', 'unknown', 'unknown']);
    assert.equal(ok.op.result, 'OK');
    assert.match(hung.op.error ?? '', /no reply within 30 ms/);
    assert.ok(hung.op.completeMs - hung.op.invokeMs >= 25, 'a time-out completes when the client gave up');
    const ids = recorder.history().ops.map((op) => op.id);
    assert.deepEqual(ids, [0, 1, 2, 3, 4, 5]);
  });

  test('a reply arriving after the time-out does not change the record', async () => {
    const recorder = new Recorder({ timeoutMs: 10 });
    let resolveLate: (value: string) => void = () => undefined;
    const late = await recorder.record({ process: 1, f: 'get', key: 'x' }, () => new Promise<string>((r) => (resolveLate = r)), (v) => v);
    resolveLate('too late');
    assert.equal(late.outcome, 'unknown');
    assert.equal(recorder.ops.length, 1);
    assert.equal(recorder.ops[0]?.result, undefined);
  });

  test('log() appends a record that is not a single call, such as a critical section', async () => {
    const recorder = new Recorder();
    await recorder.record({ process: 1, f: 'check', key: 's', arg: { fence: 3 } }, async () => 1, (v) => v);
    const entered = recorder.now();
    const left = entered + 5;
    const hold = recorder.log({ process: 1, f: 'hold', key: 's', arg: { fence: 3 } }, { invokeMs: entered, completeMs: left }, 'ok', { validBefore: true, validAfter: true });
    assert.equal(hold.id, 1);
    assert.deepEqual(recorder.history().ops.map((op) => op.f), ['check', 'hold']);
  });

  test('nemesis periods and marks share the ops clock', () => {
    let now = 1000;
    const recorder = new Recorder({ clock: () => now });
    now = 1010;
    const heal = recorder.startNemesis('partition', 'isolate n1', { isolated: [1] });
    now = 1050;
    const event = heal();
    recorder.markNemesis('clock', 'n2 +30s');
    assert.deepEqual(event, { kind: 'nemesis', nemesis: 'partition', label: 'isolate n1', startMs: 10, endMs: 50, detail: { isolated: [1] } });
    const history = recorder.history({ kind: 'meta', workload: 'register' });
    assert.equal(history.nemesis.length, 2);
    assert.equal(history.nemesis[1]?.startMs, 50);
    assert.equal(history.meta?.workload, 'register');
  });
});
