/**
 * Prometheus metrics over HTTP (--metrics-addr): GET /metrics in the text exposition
 * format. Gauges are read when scraped, so serving metrics costs nothing in between.
 */
import { createServer, type Server } from 'node:http';
import type { Histogram } from '../util/histogram.js';

export interface MetricsSource {
  commandCounts(): ReadonlyMap<string, number>;
  latency(): Readonly<Record<string, Histogram>>;
  fsyncSeconds(): Histogram;
  raft(): { term: number; role: string; commit: number; applied: number; lastIndex: number; members: number; isLeader: boolean };
  connectedClients(): number;
  snapshotsTaken(): number;
  proposedEntries(): number;
  proposedCommands(): number;
}

function histogramLines(name: string, labels: string, h: Histogram): string[] {
  const cumulative = h.cumulative();
  const sep = labels === '' ? '' : ',';
  const lines = h.bounds.map((b, i) => `${name}_bucket{${labels}${sep}le="${b}"} ${cumulative[i] ?? 0}`);
  lines.push(`${name}_bucket{${labels}${sep}le="+Inf"} ${h.count}`);
  lines.push(`${name}_sum${labels === '' ? '' : `{${labels}}`} ${h.sum}`);
  lines.push(`${name}_count${labels === '' ? '' : `{${labels}}`} ${h.count}`);
  return lines;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderMetrics(s: MetricsSource): string {
  const raft = s.raft();
  const out: string[] = [
    '# HELP respraft_commands_total Commands received, by name.',
    '# TYPE respraft_commands_total counter',
    ...[...s.commandCounts()].map(([cmd, n]) => `respraft_commands_total{command="${escapeLabel(cmd)}"} ${n}`),
    '# HELP respraft_command_duration_seconds Time from a command\'s arrival to its reply (sampled: one command in eight).',
    '# TYPE respraft_command_duration_seconds histogram',
    ...Object.entries(s.latency()).flatMap(([kind, h]) => histogramLines('respraft_command_duration_seconds', `kind="${kind}"`, h)),
    '# HELP respraft_fsync_duration_seconds Duration of log fsyncs.',
    '# TYPE respraft_fsync_duration_seconds histogram',
    ...histogramLines('respraft_fsync_duration_seconds', '', s.fsyncSeconds()),
    '# HELP respraft_raft_term Current Raft term.',
    '# TYPE respraft_raft_term gauge',
    `respraft_raft_term ${raft.term}`,
    '# HELP respraft_raft_role This node\'s role (1 for the current one).',
    '# TYPE respraft_raft_role gauge',
    ...['follower', 'preCandidate', 'candidate', 'leader', 'learner'].map((r) => `respraft_raft_role{role="${r}"} ${raft.role === r ? 1 : 0}`),
    '# HELP respraft_raft_commit_index Highest committed log index known.',
    '# TYPE respraft_raft_commit_index gauge',
    `respraft_raft_commit_index ${raft.commit}`,
    '# HELP respraft_raft_applied_index Highest log index applied to the state machine.',
    '# TYPE respraft_raft_applied_index gauge',
    `respraft_raft_applied_index ${raft.applied}`,
    '# HELP respraft_raft_apply_lag_entries Committed entries not yet applied.',
    '# TYPE respraft_raft_apply_lag_entries gauge',
    `respraft_raft_apply_lag_entries ${Math.max(0, raft.commit - raft.applied)}`,
    '# HELP respraft_raft_last_log_index Last index in the local log.',
    '# TYPE respraft_raft_last_log_index gauge',
    `respraft_raft_last_log_index ${raft.lastIndex}`,
    '# HELP respraft_raft_members Members in the configuration.',
    '# TYPE respraft_raft_members gauge',
    `respraft_raft_members ${raft.members}`,
    '# HELP respraft_connected_clients Open client connections.',
    '# TYPE respraft_connected_clients gauge',
    `respraft_connected_clients ${s.connectedClients()}`,
    '# HELP respraft_snapshots_total Snapshots written by this node.',
    '# TYPE respraft_snapshots_total counter',
    `respraft_snapshots_total ${s.snapshotsTaken()}`,
    '# HELP respraft_proposed_entries_total Log entries proposed by this node as leader.',
    '# TYPE respraft_proposed_entries_total counter',
    `respraft_proposed_entries_total ${s.proposedEntries()}`,
    '# HELP respraft_proposed_commands_total Client commands proposed by this node as leader.',
    '# TYPE respraft_proposed_commands_total counter',
    `respraft_proposed_commands_total ${s.proposedCommands()}`,
  ];
  return `${out.join('\n')}\n`;
}

export function startMetricsServer(host: string, port: number, source: MetricsSource): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url === '/')) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(renderMetrics(source));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: try /metrics\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
