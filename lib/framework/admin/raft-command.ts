/**
 * RAFT <subcommand>: the cluster's admin interface. LEADER, INFO, SERVER LIST and
 * SNAPSHOT are answered by the receiving node; JOIN, SERVER ADD/REMOVE and TRANSFER run
 * on the leader (forwarded there from a follower, like any write).
 */
import { OK, ReplyError, SimpleString, type Reply } from '../../resp/types.js';
import { errors } from '../errors.js';
import { PendingReply, type ClientConnection, type DispatchResult } from '../connection.js';
import type { AdminApi, BuiltinCommand } from '../builtins/types.js';
import { parseHostPort } from '../options.js';
import type { SnapshotInfo } from '../../raft/storage/types.js';

const HELP = [
  'RAFT <subcommand> [<arg> ...]. Subcommands are:',
  'LEADER                       Address of the leader, or null if none is known.',
  'JOIN <id> <host:port>        Add a server: a learner until it catches up, then a voter.',
  'INFO [<section>]             This node\'s Raft state.',
  'SERVER LIST                  Members with their addresses and roles.',
  'SERVER ADD <id> <host:port> [LEARNER]   Add a server (LEARNER: never promote it).',
  'SERVER REMOVE <id>           Remove a server (the leader hands over leadership first).',
  'SNAPSHOT NOW                 Write a snapshot of this node\'s state now.',
  'SNAPSHOT LIST                Snapshots kept on this node.',
  'TRANSFER [<id>]              Hand leadership to <id>, or to the most up-to-date voter.',
  'HELP                         This text.',
];

function fromPromise(promise: Promise<Reply>): PendingReply {
  const slot = new PendingReply();
  promise.then(
    (reply) => slot.resolve(reply),
    (err: unknown) => slot.resolve(err instanceof ReplyError ? err : new ReplyError(`ERR ${(err as Error).message}`)),
  );
  return slot;
}

function map(pairs: readonly (readonly [string, Reply])[]): Map<Reply, Reply> {
  return new Map<Reply, Reply>(pairs.map(([k, v]) => [k, v]));
}

function snapshotReply(s: SnapshotInfo): Map<Reply, Reply> {
  return map([
    ['index', s.meta.index],
    ['term', s.meta.term],
    ['size', s.size],
    ['created_ms', s.createdAtMs],
  ]);
}

function members(admin: AdminApi): Reply[] {
  const status = admin.status();
  const leader = admin.leaderId();
  const rows = [
    ...status.conf.voters.map((m) => ({ m, voter: true })),
    ...status.conf.learners.map((m) => ({ m, voter: false })),
  ];
  return rows.map(({ m, voter }) =>
    map([
      ['id', m.id],
      ['address', m.addr],
      ['leader', m.id === leader],
      ['voter', voter],
    ]),
  );
}

function validAddr(arg: Buffer | undefined): string | ReplyError {
  const addr = arg?.toString('latin1') ?? '';
  try {
    parseHostPort(addr, 'address');
    return addr;
  } catch {
    return new ReplyError(`ERR invalid address '${addr}': expected host:port`);
  }
}

function onLeader(admin: AdminApi, conn: ClientConnection, args: Buffer[], run: () => Promise<Reply>): DispatchResult {
  return admin.toLeader(conn, args) ?? fromPromise(run());
}

function server(admin: AdminApi, conn: ClientConnection, args: Buffer[]): DispatchResult {
  const sub = args[2]?.toString('latin1').toLowerCase();
  if (sub === 'list' && args.length === 3) return members(admin);
  if (sub === 'add' && (args.length === 5 || args.length === 6)) {
    const learner = args.length === 6;
    if (learner && args[5]?.toString('latin1').toLowerCase() !== 'learner') return errors.syntax();
    const id = args[3]?.toString('latin1') ?? '';
    const addr = validAddr(args[4]);
    if (addr instanceof ReplyError) return addr;
    return onLeader(admin, conn, args, async () => {
      await admin.join(id, addr, learner);
      return OK;
    });
  }
  if (sub === 'remove' && args.length === 4) {
    const id = args[3]?.toString('latin1') ?? '';
    if (admin.isLeader() && id === admin.nodeId) {
      // The leader cannot count itself out: hand over, then let the new leader remove us.
      return fromPromise(
        admin.transfer(null).then(() => {
          const forwarded = admin.toLeader(conn, args);
          if (forwarded instanceof PendingReply) return new Promise<Reply>((resolve) => forwarded.listen(resolve));
          return forwarded as Reply;
        }),
      );
    }
    return onLeader(admin, conn, args, async () => {
      await admin.remove(id);
      return OK;
    });
  }
  if (sub === undefined || !['list', 'add', 'remove'].includes(sub)) return errors.unknownSubcommand(args[2] ?? '', 'raft server');
  return errors.wrongArity(`raft|server|${sub}`);
}

export const raftCommand: BuiltinCommand = {
  name: 'raft',
  spec: {
    arity: -2,
    flags: ['admin', 'stale'],
    summary: 'Raft cluster administration: leader, membership, snapshots, leadership transfer.',
    since: '1.0.0',
    group: 'cluster',
    arguments: [
      {
        name: 'subcommand',
        type: 'oneof',
        arguments: ['LEADER', 'JOIN', 'INFO', 'SERVER', 'SNAPSHOT', 'TRANSFER', 'HELP'].map((t) => ({ name: t.toLowerCase(), type: 'pure-token' as const, token: t })),
      },
    ],
  },
  run(ctx, conn, args) {
    const admin = ctx.admin;
    const sub = args[1]?.toString('latin1').toLowerCase() ?? '';
    switch (sub) {
      case 'leader':
        return args.length === 2 ? admin.leaderAddr() : errors.wrongArity('raft|leader');
      case 'join': {
        if (args.length !== 4) return errors.wrongArity('raft|join');
        const id = args[2]?.toString('latin1') ?? '';
        const addr = validAddr(args[3]);
        if (addr instanceof ReplyError) return addr;
        return onLeader(admin, conn, args, async () => {
          await admin.join(id, addr, false);
          return OK;
        });
      }
      case 'info': {
        if (args.length > 3) return errors.wrongArity('raft|info');
        const fields = admin.raftInfo();
        const wanted = args[2]?.toString('latin1').toLowerCase();
        const chosen = wanted === undefined ? fields : fields.filter(([k]) => k === wanted || k.startsWith(`${wanted}_`));
        return map(chosen);
      }
      case 'server':
        return args.length >= 3 ? server(admin, conn, args) : errors.wrongArity('raft|server');
      case 'snapshot': {
        const what = args[2]?.toString('latin1').toLowerCase();
        if (args.length !== 3) return errors.wrongArity('raft|snapshot');
        if (what === 'now') return fromPromise(admin.snapshotNow().then(snapshotReply));
        if (what === 'list') return admin.snapshots().map(snapshotReply);
        return errors.unknownSubcommand(args[2] ?? '', 'raft snapshot');
      }
      case 'transfer': {
        if (args.length > 3) return errors.wrongArity('raft|transfer');
        const id = args[2]?.toString('latin1') ?? null;
        return onLeader(admin, conn, args, async () => {
          await admin.transfer(id);
          return OK;
        });
      }
      case 'help':
        return HELP.map((l) => new SimpleString(l));
      default:
        return errors.unknownSubcommand(args[1] ?? '', 'raft');
    }
  },
};
