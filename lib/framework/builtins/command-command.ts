/**
 * COMMAND, COMMAND COUNT / INFO / DOCS / LIST: what redis-cli reads for hints and what
 * cluster-aware clients read for key positions. Built from the same CommandSpec as the
 * handlers, so it cannot drift from what the node really serves.
 */
import { ReplyError, SimpleString, type Reply } from '../../resp/types.js';
import { errors } from '../errors.js';
import type { ArgumentSpec, CommandSpec } from '../app.js';
import type { TableEntry, CommandTable } from '../command-table.js';
import type { BuiltinCommand } from './types.js';

function info(entry: TableEntry): Reply[] {
  const s: CommandSpec = entry.spec;
  return [
    entry.name,
    s.arity,
    (s.flags ?? []).map((f) => new SimpleString(f)),
    s.firstKey ?? 0,
    s.lastKey ?? 0,
    s.step ?? 0,
    [],
    [],
    [],
    [],
  ];
}

function argumentDoc(arg: ArgumentSpec): Map<Reply, Reply> {
  const doc = new Map<Reply, Reply>([
    ['name', arg.name],
    ['type', arg.type],
  ]);
  if (arg.token !== undefined) doc.set('token', arg.token);
  const flags: Reply[] = [];
  if (arg.optional === true) flags.push(new SimpleString('optional'));
  if (arg.multiple === true) flags.push(new SimpleString('multiple'));
  if (flags.length > 0) doc.set('flags', flags);
  if (arg.arguments !== undefined) doc.set('arguments', arg.arguments.map(argumentDoc));
  return doc;
}

function docs(entry: TableEntry): Map<Reply, Reply> {
  const s = entry.spec;
  const doc = new Map<Reply, Reply>([
    ['summary', s.summary ?? ''],
    ['since', s.since ?? '1.0.0'],
    ['group', s.group ?? 'generic'],
  ]);
  if (s.complexity !== undefined) doc.set('complexity', s.complexity);
  if (s.arguments !== undefined && s.arguments.length > 0) doc.set('arguments', s.arguments.map(argumentDoc));
  return doc;
}

function named(table: CommandTable, args: Buffer[], from: number): (TableEntry | null)[] {
  return args.slice(from).map((a) => table.get(a.toString('latin1').toLowerCase()) ?? null);
}

export const commandCommand: BuiltinCommand = {
  name: 'command',
  spec: {
    arity: -1,
    flags: ['loading', 'stale'],
    summary: 'Returns detailed information about all commands.',
    since: '2.8.13',
    group: 'server',
    arguments: [
      {
        name: 'subcommand',
        type: 'oneof',
        optional: true,
        arguments: ['COUNT', 'INFO', 'DOCS', 'LIST', 'HELP'].map((t) => ({ name: t.toLowerCase(), type: 'pure-token' as const, token: t })),
      },
    ],
  },
  run(ctx, _conn, args) {
    const table = ctx.commands;
    if (args.length === 1) return [...table.all()].map(info);
    const sub = args[1]?.toString('latin1').toLowerCase();
    switch (sub) {
      case 'count':
        return args.length === 2 ? table.size : errors.wrongArity('command|count');
      case 'list':
        return [...table.all()].map((e) => e.name);
      case 'info':
        if (args.length === 2) return [...table.all()].map(info);
        return named(table, args, 2).map((e) => (e === null ? null : info(e)));
      case 'docs': {
        const entries = args.length === 2 ? [...table.all()] : named(table, args, 2).filter((e): e is TableEntry => e !== null);
        const reply = new Map<Reply, Reply>();
        for (const e of entries) reply.set(e.name, docs(e));
        return reply;
      }
      case 'help':
        return [
          'COMMAND <subcommand> [<arg> ...]. Subcommands are:',
          '(no subcommand)    Return details about all commands.',
          'COUNT              Return the total number of commands.',
          'INFO [<name> ...]  Return details about the given (or all) commands.',
          'DOCS [<name> ...]  Return documentation of the given (or all) commands.',
          'LIST               Return the names of all commands.',
        ].map((l) => new SimpleString(l));
      default:
        return args[1] === undefined ? new ReplyError('ERR syntax error') : errors.unknownSubcommand(args[1], 'command');
    }
  },
};
