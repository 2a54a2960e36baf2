/**
 * CLUSTER SLOTS / NODES / SHARDS / INFO / MYID: the leader owns all 16384 slots, so
 * cluster-aware clients (redis-cli -c, ioredis Cluster) send every command to it, and
 * follow -MOVED to the new leader after a failover. Followers are listed as replicas.
 */
import { createHash } from 'node:crypto';
import { Verbatim, type Reply } from '../../resp/types.js';
import { errors } from '../errors.js';
import { parseHostPort } from '../options.js';
import type { AdminApi, BuiltinCommand } from '../builtins/types.js';

const LAST_SLOT = 16383;

/** Redis cluster node ids are 40 hex characters; derive a stable one from the Raft id. */
export function clusterNodeId(raftId: string): string {
  return createHash('sha1').update(`respraft:${raftId}`).digest('hex');
}

interface ClusterMember {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly leader: boolean;
}

function clusterMembers(admin: AdminApi): ClusterMember[] {
  const status = admin.status();
  const leader = admin.leaderId();
  return [...status.conf.voters, ...status.conf.learners].map((m) => {
    const { host, port } = parseHostPort(m.addr, 'member address');
    return { id: m.id, host, port, leader: m.id === leader };
  });
}

function slots(admin: AdminApi): Reply {
  const members = clusterMembers(admin);
  const leader = members.find((m) => m.leader);
  if (leader === undefined) return [];
  const node = (m: ClusterMember): Reply => [m.host, m.port, clusterNodeId(m.id)];
  return [[0, LAST_SLOT, node(leader), ...members.filter((m) => !m.leader).map(node)]];
}

function nodes(admin: AdminApi): Reply {
  const members = clusterMembers(admin);
  const leader = members.find((m) => m.leader);
  const term = admin.status().term;
  const lines = members.map((m) => {
    const flags = [m.id === admin.nodeId ? 'myself' : null, m.leader ? 'master' : 'slave'].filter((f) => f !== null).join(',');
    const master = m.leader || leader === undefined ? '-' : clusterNodeId(leader.id);
    const slotRange = m.leader ? ` 0-${LAST_SLOT}` : '';
    return `${clusterNodeId(m.id)} ${m.host}:${m.port}@${m.port + 10000} ${flags} ${master} 0 0 ${term} connected${slotRange}\n`;
  });
  return new Verbatim(lines.join(''));
}

function shards(admin: AdminApi): Reply {
  const members = clusterMembers(admin);
  if (!members.some((m) => m.leader)) return [];
  const node = (m: ClusterMember): Map<Reply, Reply> =>
    new Map<Reply, Reply>([
      ['id', clusterNodeId(m.id)],
      ['port', m.port],
      ['ip', m.host],
      ['endpoint', m.host],
      ['role', m.leader ? 'master' : 'replica'],
      ['replication-offset', admin.status().commit],
      ['health', 'online'],
    ]);
  return [new Map<Reply, Reply>([['slots', [0, LAST_SLOT]], ['nodes', members.map(node)]])];
}

function info(admin: AdminApi): Reply {
  const ok = admin.leaderId() !== null;
  const term = admin.status().term;
  const n = clusterMembers(admin).length;
  const lines = [
    'cluster_enabled:1',
    `cluster_state:${ok ? 'ok' : 'fail'}`,
    `cluster_slots_assigned:${ok ? LAST_SLOT + 1 : 0}`,
    `cluster_slots_ok:${ok ? LAST_SLOT + 1 : 0}`,
    'cluster_slots_pfail:0',
    `cluster_slots_fail:${ok ? 0 : LAST_SLOT + 1}`,
    `cluster_known_nodes:${n}`,
    `cluster_size:${ok ? 1 : 0}`,
    `cluster_current_epoch:${term}`,
    `cluster_my_epoch:${term}`,
  ];
  return new Verbatim(lines.map((l) => `${l}\r\n`).join(''));
}

export const clusterCommand: BuiltinCommand = {
  name: 'cluster',
  spec: {
    arity: -2,
    flags: ['stale'],
    summary: 'Cluster topology for cluster-aware clients: the Raft leader owns every slot.',
    since: '3.0.0',
    group: 'cluster',
    arguments: [
      { name: 'subcommand', type: 'oneof', arguments: ['SLOTS', 'NODES', 'SHARDS', 'INFO', 'MYID'].map((t) => ({ name: t.toLowerCase(), type: 'pure-token' as const, token: t })) },
    ],
  },
  run(ctx, _conn, args) {
    const sub = args[1]?.toString('latin1').toLowerCase() ?? '';
    if (args.length !== 2) return errors.wrongArity(`cluster|${sub}`);
    switch (sub) {
      case 'slots':
        return slots(ctx.admin);
      case 'nodes':
        return nodes(ctx.admin);
      case 'shards':
        return shards(ctx.admin);
      case 'info':
        return info(ctx.admin);
      case 'myid':
        return clusterNodeId(ctx.admin.nodeId);
      default:
        return errors.unknownSubcommand(args[1] ?? '', 'cluster');
    }
  },
};

export const machineCommand: BuiltinCommand = {
  name: 'machine',
  spec: { arity: 1, flags: ['readonly', 'stale'], summary: 'The replicated state machine: replicated time, applied index, app.', since: '1.0.0', group: 'server' },
  run: (ctx) => new Map<Reply, Reply>(ctx.admin.machine()),
};
