/**
 * INFO sections of a node, in Redis's key:value form. `raft` and `keyspace` are ours;
 * the others carry the fields Redis tools and clients read (ioredis waits for
 * loading:0 in persistence before it reports ready).
 */
import { REDIS_COMPAT_VERSION } from './builtins/connection-commands.js';
import type { Status } from '../raft/core/types.js';

export interface InfoSource {
  readonly appName: string;
  readonly appVersion: string;
  readonly nodeId: string;
  readonly addr: string;
  readonly advertisedAddr: string;
  readonly startedAtMs: number;
  readonly dataDir: string;
  readonly nosync: boolean;
  connectedClients(): number;
  peerConnections(): number;
  blockedClients(): number;
  totalConnections(): number;
  rejectedConnections(): number;
  commandsProcessed(): number;
  commandCounts(): ReadonlyMap<string, number>;
  status(): Status;
  leaderAddr(): string | null;
  appliedIndex(): number;
  replicatedTimeMs(): number;
  snapshotCount(): number;
  lastSnapshotIndex(): number;
  logBytes(): number;
  fsyncStats(): { count: number; avgMs: number; maxMs: number };
  keyspace(): readonly (readonly [db: number, keys: number, expires?: number])[];
  proposedEntries(): number;
  proposedCommands(): number;
  readRounds(): number;
  leaseReads(): number;
  forwardedCommands(): number;
}

export const DEFAULT_INFO_SECTIONS = ['server', 'clients', 'persistence', 'stats', 'replication', 'raft', 'keyspace'] as const;
export const ALL_INFO_SECTIONS = [...DEFAULT_INFO_SECTIONS, 'commandstats'] as const;

export function infoSection(source: InfoSource, name: string): string[] | null {
  switch (name) {
    case 'server':
      return server(source);
    case 'clients':
      return [
        `connected_clients:${source.connectedClients()}`,
        `peer_connections:${source.peerConnections()}`,
        `blocked_clients:${source.blockedClients()}`,
      ];
    case 'persistence':
      return persistence(source);
    case 'stats':
      return stats(source);
    case 'replication':
      return replication(source);
    case 'raft':
      return raftInfoFields(source).map(([k, v]) => `${k}:${v}`);
    case 'keyspace':
      return source.keyspace().map(([db, keys, expires]) => `db${db}:keys=${keys},expires=${expires ?? 0},avg_ttl=0`);
    case 'commandstats':
      return [...source.commandCounts()].map(([cmd, calls]) => `cmdstat_${cmd}:calls=${calls}`);
    default:
      return null;
  }
}

function server(s: InfoSource): string[] {
  const uptimeS = Math.floor((Date.now() - s.startedAtMs) / 1000);
  return [
    `redis_version:${REDIS_COMPAT_VERSION}`,
    `app:${s.appName}`,
    `app_version:${s.appVersion}`,
    'redis_mode:standalone',
    `os:${process.platform} ${process.arch}`,
    `process_id:${process.pid}`,
    `node_version:${process.version}`,
    `tcp_port:${s.addr.slice(s.addr.lastIndexOf(':') + 1)}`,
    `raft_id:${s.nodeId}`,
    `advertised_addr:${s.advertisedAddr}`,
    `uptime_in_seconds:${uptimeS}`,
    `uptime_in_days:${Math.floor(uptimeS / 86400)}`,
  ];
}

function persistence(s: InfoSource): string[] {
  const f = s.fsyncStats();
  return [
    'loading:0',
    `data_dir:${s.dataDir}`,
    `fsync:${s.nosync ? 'off' : 'on'}`,
    `log_bytes:${s.logBytes()}`,
    `snapshots_taken:${s.snapshotCount()}`,
    `last_snapshot_index:${s.lastSnapshotIndex()}`,
    `fsyncs:${f.count}`,
    `fsync_avg_ms:${f.avgMs.toFixed(3)}`,
    `fsync_max_ms:${f.maxMs.toFixed(3)}`,
  ];
}

function stats(s: InfoSource): string[] {
  return [
    `total_connections_received:${s.totalConnections()}`,
    `rejected_connections:${s.rejectedConnections()}`,
    `total_commands_processed:${s.commandsProcessed()}`,
    `proposed_entries:${s.proposedEntries()}`,
    `proposed_commands:${s.proposedCommands()}`,
    `read_index_rounds:${s.readRounds()}`,
    `lease_reads:${s.leaseReads()}`,
    `forwarded_commands:${s.forwardedCommands()}`,
  ];
}

function replication(s: InfoSource): string[] {
  const status = s.status();
  const leader = status.role === 'leader';
  const lines = [`role:${leader ? 'master' : 'slave'}`];
  if (!leader) {
    const addr = s.leaderAddr();
    const sep = addr?.lastIndexOf(':') ?? -1;
    lines.push(`master_host:${addr === null ? '' : addr.slice(0, sep)}`, `master_port:${addr === null ? '' : addr.slice(sep + 1)}`);
    lines.push(`master_link_status:${addr === null ? 'down' : 'up'}`);
  }
  lines.push(`connected_slaves:${leader ? status.conf.voters.length + status.conf.learners.length - 1 : 0}`);
  return lines;
}

/** The fields of RAFT INFO and INFO raft. */
export function raftInfoFields(s: InfoSource): [string, string | number][] {
  const st = s.status();
  const fields: [string, string | number][] = [
    ['id', st.id],
    ['role', st.role],
    ['term', st.term],
    ['leader_id', st.leader ?? ''],
    ['leader_addr', s.leaderAddr() ?? ''],
    ['commit_index', st.commit],
    ['applied_index', s.appliedIndex()],
    ['last_log_index', st.lastIndex],
    ['apply_lag', Math.max(0, st.commit - s.appliedIndex())],
    ['voters', st.conf.voters.map((m) => `${m.id}@${m.addr}`).join(',')],
    ['learners', st.conf.learners.map((m) => `${m.id}@${m.addr}`).join(',')],
    ['num_members', st.conf.voters.length + st.conf.learners.length],
    ['replicated_time_ms', s.replicatedTimeMs()],
  ];
  if (st.progress !== null) {
    for (const [id, p] of st.progress) fields.push([`peer_${id}`, `match=${p.match},next=${p.next},state=${p.state},active=${p.recentActive ? 1 : 0}`]);
  }
  return fields;
}
