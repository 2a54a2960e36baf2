/**
 * The benchmark harness: its parsers of tool output (redis-benchmark --csv, strace -c,
 * V8 .cpuprofile) on known inputs, and one tiny end-to-end run of `npm run bench` that
 * must print the tables and leave no process behind. Figures are never asserted: speed
 * is checked with the benchmark, not with a timed test.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '../../bench/lib/redis-bench.js';
import { parseStraceSummary } from '../../bench/lib/strace.js';
import { summarize } from '../../bench/lib/cpuprofile.js';
import { parsePerfScript } from '../../bench/lib/perf.js';
import { ROOT } from '../../bench/lib/kvd-cluster.js';

describe('redis-benchmark --csv', () => {
  test('rows of built-in tests and of a custom command are read by column name', () => {
    const csv = [
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
      '"SET","11858.18","4.049","0.928","2.823","9.727","16.879","133.247"',
      '"ECHO hello","189035.92","3.107","0.232","1.479","9.855","25.759","27.727"',
    ].join('\n');
    assert.deepEqual(parseCsv(csv), [
      { test: 'SET', rps: 11858.18, avgMs: 4.049, p50Ms: 2.823, p99Ms: 16.879, maxMs: 133.247 },
      { test: 'ECHO hello', rps: 189035.92, avgMs: 3.107, p50Ms: 1.479, p99Ms: 25.759, maxMs: 27.727 },
    ]);
  });

  test('output without the header is refused', () => {
    assert.throws(() => parseCsv('"SET","1"\n'), /no column/);
  });
});

describe('strace -c summary', () => {
  test('calls per syscall, with and without an errors column, sorted by calls', () => {
    const text = [
      '% time     seconds  usecs/call     calls    errors syscall',
      '------ ----------- ----------- --------- --------- ----------------',
      ' 60.00    0.003000           2      1139           write',
      ' 30.00    0.001500           1      1161        12 read',
      ' 10.00    0.000500           1       293        40 futex',
      '------ ----------- ----------- --------- --------- ----------------',
      '100.00    0.005000           1      2593        52 total',
    ].join('\n');
    assert.deepEqual(parseStraceSummary(text), [
      { name: 'read', calls: 1161, seconds: 0.0015 },
      { name: 'write', calls: 1139, seconds: 0.003 },
      { name: 'futex', calls: 293, seconds: 0.0005 },
    ]);
  });
});

describe('perf script', () => {
  test('main-thread, kernel and per-syscall shares', () => {
    const text = [
      '100 ',
      '\tffffffff8200e18f tcp_sendmsg_locked',
      '\tffffffff816b98aa ksys_write',
      '\tffffffff821ed511 do_syscall_64',
      '\t          f838f __GI___libc_write',
      '',
      '101 ',
      '\tffffffff81000001 ext4_sync_file',
      '\tffffffff81000002 __x64_sys_fdatasync',
      '\tffffffff821ed511 do_syscall_64',
      '\t          f8000 fdatasync',
      '',
      '100 ',
      '\t    7f7fff8cf724 [unknown]',
      '\t         14f7b7f Builtins_RunMicrotasks',
      '',
      '100 ',
      '\tffffffff81000003 handle_softirqs',
      '\t         14f7b7f Builtins_RunMicrotasks',
    ].join('\n');
    const split = parsePerfScript(text, 100);
    assert.equal(split.samples, 4);
    assert.equal(split.mainThreadShare, 3 / 4);
    assert.equal(split.kernelShare, 3 / 4);
    assert.deepEqual(split.bySyscall, [
      ['ksys_write', 0.25],
      ['__x64_sys_fdatasync', 0.25],
      ['(not in a syscall: Builtins_RunMicrotasks)', 0.25],
    ]);
  });
});

describe('cpuprofile summary', () => {
  // root -> a (3 samples) -> b (1 sample); idle 4 samples; one sample of a after the window.
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4, 5] },
      { id: 2, callFrame: { functionName: 'a', url: `file://${ROOT}/dist/lib/x.js`, lineNumber: 9 }, children: [3] },
      { id: 3, callFrame: { functionName: 'writeBuffer', url: '', lineNumber: -1 } },
      { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      { id: 5, callFrame: { functionName: 'b', url: 'file:///x/node_modules/@msgpack/msgpack/dist.cjs/Encoder.cjs', lineNumber: 0 } },
    ],
    startTime: 1000,
    endTime: 11000,
    samples: [2, 2, 3, 4, 4, 4, 4, 5, 2],
    timeDeltas: [100, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 5000],
  };

  test('self shares of busy samples inside the window, natives by caller', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpuprofile-'));
    try {
      const file = join(dir, 'p.cpuprofile');
      writeFileSync(file, JSON.stringify(profile));
      const s = summarize(file, ROOT, { fromUs: 1000, toUs: 9000 });
      assert.equal(s.idleShare, 4 / 8);
      assert.deepEqual(s.byFunction, [['a dist/lib/x.js:10', 0.5], ['writeBuffer', 0.25], ['b @msgpack/msgpack/dist.cjs/Encoder.cjs:1', 0.25]]);
      assert.deepEqual(s.nativeCallers, [['writeBuffer', [['a dist/lib/x.js:10 < (root)', 0.25]]]]);
      assert.equal(summarize(file, ROOT).byFunction[0]?.[1], 3 / 5, 'without a window every sample counts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run bench', () => {
  test('a tiny run of the PING/ECHO part prints its table and stops what it started', { timeout: 180_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    try {
      const out = join(dir, 'report.md');
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--only', 'ping', '--scale', '0.001', '--dir', dir, '--out', out], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 170_000,
      });
      assert.equal(result.status, 0, result.stderr);
      const report = readFileSync(out, 'utf8');
      assert.match(report, /\| nproc \| \d+ \|/);
      assert.match(report, /## PING and ECHO/);
      for (const label of ['PING (inline)', 'PING (multibulk)', 'ECHO 16 B']) assert.match(report, new RegExp(`\\| ${label.replace(/[()]/g, '\\$&')} \\| 16 \\| [\\d,]+ \\|`));
      const leftovers = spawnSync('pgrep', ['-f', dir], { encoding: 'utf8' }).stdout.trim();
      assert.equal(leftovers, '', `processes still running with ${dir} in their command line`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
