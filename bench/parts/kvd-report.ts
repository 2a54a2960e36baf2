/** The Markdown tables of the kvd part: throughput vs targets, the follower, and cost. */
import { medianRun, fsyncAvgMs, pairedRatio, ratioCell, type Measured, type Counter } from '../lib/measure.js';
import { table, int, fixed } from '../lib/markdown.js';

export interface Row {
  readonly test: 'SET' | 'GET';
  readonly pipeline: 1 | 16;
  readonly target: number;
}

export type KvdResults = Map<string, { leader: Measured[]; follower: Measured[]; redis: Measured[] }>;

export interface Roles {
  readonly leader: number;
  readonly follower: number;
  readonly redis: number;
  readonly all: readonly number[];
}

const P99_SET_P1_MS = 3;

function verdict(ok: boolean, text: string): string {
  return `${text}: ${ok ? 'met' : 'MISSED'}`;
}

function throughputTable(results: KvdResults, rows: readonly Row[], through: 'leader' | 'follower'): string {
  const lines = rows.map((row) => {
    const entry = results.get(`${row.test}|${row.pipeline}`)!;
    const k = medianRun(entry[through]);
    const r = medianRun(entry.redis);
    const ratio = pairedRatio(entry[through], entry.redis);
    const targets = [verdict(ratio.median >= row.target, `>= ${row.target}`)];
    if (row.test === 'SET' && row.pipeline === 1) targets.push(verdict(k.row.p99Ms < P99_SET_P1_MS, `p99 < ${P99_SET_P1_MS} ms`));
    const rounds = (runs: readonly Measured[]): string => (runs.length > 1 ? ` (${runs.map((m) => int(m.row.rps)).join(', ')})` : '');
    return [
      row.test, row.pipeline, `${int(k.row.rps)}${rounds(entry[through])}`, fixed(k.row.p50Ms, 3), fixed(k.row.p99Ms, 3),
      `${int(r.row.rps)}${rounds(entry.redis)}`, fixed(r.row.p50Ms, 3), fixed(r.row.p99Ms, 3), ratioCell(ratio),
      through === 'leader' ? targets.join('; ') : '(no target)',
    ];
  });
  return table(['test', '-P', `kvd via ${through} ops/s`, 'p50 ms', 'p99 ms', 'redis ops/s', 'redis p50 ms', 'redis p99 ms', 'ratio: median of rounds (each round)', 'target'], lines);
}

function costTable(results: KvdResults, rows: readonly Row[], roles: Roles): string {
  const lines: (string | number)[][] = [];
  for (const through of ['leader', 'follower'] as const) {
    for (const row of rows) {
      const entry = results.get(`${row.test}|${row.pipeline}`)!;
      const k = medianRun(entry[through]);
      const r = medianRun(entry.redis);
      const others = roles.all.filter((pid) => pid !== roles.leader && pid !== roles.follower);
      const c = k.counters;
      const perSecond = (name: Counter): number => (c?.get(name) ?? NaN) / k.wallSeconds;
      const entries = c?.get('proposed_entries') ?? NaN;
      const rounds = c?.get('read_index_rounds') ?? NaN;
      lines.push([
        `${row.test} -P ${row.pipeline} via ${through}`,
        fixed(k.cpuUsPerRequest.get(roles.leader)!, 1),
        fixed(k.cpuUsPerRequest.get(roles.follower)!, 1),
        fixed(others.map((pid) => k.cpuUsPerRequest.get(pid)!).reduce((a, b) => a + b, 0), 1),
        fixed(k.generatorUsPerRequest, 1),
        fixed(r.cpuUsPerRequest.get(roles.redis)!, 1),
        fixed(k.cpuCoreShare.get(roles.leader)!),
        int(perSecond('fsyncs')),
        fixed(fsyncAvgMs(c), 2),
        row.test === 'SET' ? fixed((c?.get('proposed_commands') ?? NaN) / entries, 1) : '',
        row.test === 'GET' && through === 'leader' ? fixed(k.requests / rounds, 1) : '',
      ]);
    }
  }
  return table(
    [
      'run', 'leader CPU us/req', 'follower (target) CPU us/req', 'other follower CPU us/req', 'redis-benchmark CPU us/req',
      'redis-server CPU us/req', 'leader cores busy', 'leader fsyncs/s', 'leader fsync avg ms', 'SETs per log entry', 'GETs per ReadIndex round',
    ],
    lines,
  );
}

export function kvdReport(results: KvdResults, rows: readonly Row[], roles: Roles): string {
  return [
    '## kvd: 3 nodes, fsync on, vs redis-server appendfsync always (issue 5)',
    '',
    'Through the leader:',
    '',
    throughputTable(results, rows, 'leader'),
    '',
    'Through a follower (writes forwarded to the leader, reads by ReadIndex from the leader then served locally):',
    '',
    throughputTable(results, rows, 'follower'),
    '',
    'Cost of each run (CPU from /proc/<pid>/stat deltas over the run, divided by requests; counters are the leader\'s INFO deltas):',
    '',
    costTable(results, rows, roles),
  ].join('\n');
}
