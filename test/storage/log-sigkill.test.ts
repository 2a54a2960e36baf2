/**
 * A real crash: a child process appends and syncs in a loop and is killed with SIGKILL
 * at a random moment, several times over the same directory. Every entry whose sync()
 * had resolved (reported on stdout before the kill) must be there after reopen, and
 * open must never fail.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openFileLog } from '../../lib/raft/storage/file-log.js';
import { rngFromSeed } from '../../lib/util/rng.js';
import { waitFor } from '../helpers/wait.js';
import { entryData } from './fixtures/entry-data.js';

const WRITER = fileURLToPath(new URL('./fixtures/wal-writer.ts', import.meta.url));
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'respraft-sigkill-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

interface Acked {
  index: number;
  term: number;
}

/** Runs the writer until it has acknowledged `syncs` syncs, then kills it; returns the last acknowledgement. */
async function runAndKill(dir: string, seed: number, syncs: number): Promise<Acked | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let acked: Acked | null = null;
  let count = 0;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [kind, index, term] = line.split(' ');
    if (kind !== 'synced') return;
    acked = { index: Number(index), term: Number(term) };
    if (++count === syncs) child.kill('SIGKILL');
  });
  try {
    await waitFor(`writer to acknowledge ${syncs} syncs`, () => count >= syncs || exitCode !== undefined, { timeoutMs: 30_000 });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  assert.ok(count >= syncs, `writer exited early (code ${String(exitCode)}): ${stderr}`);
  return acked;
}

test('entries acknowledged before a SIGKILL survive it, over repeated kills', async () => {
  const dir = path.join(root, 'wal');
  const rng = rngFromSeed(20240611);
  let highest = 0;
  for (let round = 1; round <= 5; round++) {
    const acked = await runAndKill(dir, round, 20 + rng.int(150));
    assert.ok(acked !== null);
    highest = Math.max(highest, acked.index);

    const log = openFileLog(dir, { segmentBytes: 16 * 1024 });
    assert.ok(log.lastIndex() >= acked.index, `round ${round}: last index ${log.lastIndex()} is below the acknowledged ${acked.index}`);
    // A later, unacknowledged conflict may have replaced the acknowledged entry with a newer term.
    assert.ok(log.term(acked.index) >= acked.term, `round ${round}: entry ${acked.index} lost its term ${acked.term}`);
    let previousTerm = 0;
    for (const entry of log.entries(log.firstIndex(), log.lastIndex() + 1, Infinity)) {
      assert.deepEqual(entry.data, entryData(entry.index, entry.term), `round ${round}: entry ${entry.index} holds another entry's data`);
      assert.ok(entry.term >= previousTerm, `round ${round}: terms go backwards at ${entry.index}`);
      previousTerm = entry.term;
    }
    await log.close();
  }
  assert.ok(highest > 0);
});
