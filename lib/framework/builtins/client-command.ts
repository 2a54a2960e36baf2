/** CLIENT: ID, SETNAME, GETNAME, INFO, LIST, SETINFO, KILL ID, NO-EVICT, NO-TOUCH, HELP. */
import { OK, ReplyError, SimpleString, Verbatim, type Reply } from '../../resp/types.js';
import { errors } from '../errors.js';
import type { ClientConnection } from '../connection.js';
import type { BuiltinCommand, BuiltinContext } from './types.js';
import { invalidClientName, validClientName } from './connection-commands.js';
import { parseInteger } from './parse.js';

/** One line of CLIENT LIST / CLIENT INFO, with the fields Redis tools read. */
function describe(conn: ClientConnection, now: number): string {
  const fields: [string, string | number][] = [
    ['id', conn.id],
    ['addr', conn.remoteAddress],
    ['laddr', conn.localAddress],
    ['name', conn.name ?? ''],
    ['age', Math.floor((now - conn.createdAtMs) / 1000)],
    ['idle', Math.floor((now - conn.lastActiveMs) / 1000)],
    ['flags', conn.role === 'peer' ? 'P' : 'N'],
    ['db', conn.db],
    ['multi', -1],
    ['omem', conn.outputBytes],
    ['cmd', conn.lastCommand || 'NULL'],
    ['user', 'default'],
    ['resp', conn.proto],
    ['lib-name', conn.libName ?? ''],
    ['lib-ver', conn.libVersion ?? ''],
    ['pipeline', conn.pipelineDepth],
  ];
  return fields.map(([k, v]) => `${k}=${v}`).join(' ');
}

const HELP = [
  'CLIENT <subcommand> [<arg> ...]. Subcommands are:',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'LIST [TYPE (NORMAL|PEER)] [ID id ...]',
  '    Return information about client connections.',
  'GETNAME',
  '    Return the name of the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <LIB-NAME|LIB-VER> <value>',
  '    Set client library name or version.',
  'KILL ID <id>',
  '    Close the connection with the given id.',
  'NO-EVICT (ON|OFF), NO-TOUCH (ON|OFF)',
  '    Accepted for compatibility; no effect.',
  'HELP',
  '    Print this help.',
];

type Sub = (ctx: BuiltinContext, conn: ClientConnection, args: Buffer[]) => Reply;

const subcommands: Record<string, { arity: number; run: Sub }> = {
  id: { arity: 2, run: (_ctx, conn) => conn.id },
  getname: { arity: 2, run: (_ctx, conn) => conn.name },
  setname: {
    arity: 3,
    run(_ctx, conn, args) {
      const name = args[2]?.toString('latin1') ?? '';
      if (!validClientName(name)) return invalidClientName();
      conn.name = name === '' ? null : name;
      return OK;
    },
  },
  info: { arity: 2, run: (_ctx, conn) => new Verbatim(`${describe(conn, Date.now())}\n`) },
  list: {
    arity: -2,
    run(ctx, _conn, args) {
      let type: string | null = null;
      let ids: Set<number> | null = null;
      for (let i = 2; i < args.length; i++) {
        const option = args[i]?.toString('latin1').toLowerCase();
        if (option === 'type' && i + 1 < args.length) {
          type = args[++i]?.toString('latin1').toLowerCase() ?? null;
          if (type !== 'normal' && type !== 'peer' && type !== 'master' && type !== 'replica' && type !== 'pubsub') {
            return new ReplyError(`ERR Unknown client type '${type ?? ''}'`);
          }
        } else if (option === 'id' && i + 1 < args.length) {
          ids = new Set();
          for (i++; i < args.length; i++) {
            const id = parseInteger(args[i]);
            if (id === null || id <= 0) return new ReplyError('ERR Invalid client ID');
            ids.add(id);
          }
        } else {
          return errors.syntax();
        }
      }
      const now = Date.now();
      const lines: string[] = [];
      for (const c of ctx.connections()) {
        if (type === 'normal' && c.role !== 'client') continue;
        if (type === 'peer' && c.role !== 'peer') continue;
        if (type === 'master' || type === 'replica' || type === 'pubsub') continue;
        if (ids !== null && !ids.has(c.id)) continue;
        lines.push(describe(c, now));
      }
      return new Verbatim(lines.map((l) => `${l}\n`).join(''));
    },
  },
  setinfo: {
    arity: 4,
    run(_ctx, conn, args) {
      const attr = args[2]?.toString('latin1').toLowerCase();
      const value = args[3]?.toString('latin1') ?? '';
      if (!validClientName(value) && value !== '') {
        return new ReplyError(`ERR ${attr ?? ''} cannot contain spaces, newlines or special characters.`);
      }
      if (attr === 'lib-name') conn.libName = value;
      else if (attr === 'lib-ver') conn.libVersion = value;
      else return new ReplyError(`ERR Unrecognized option '${args[2]?.toString('latin1') ?? ''}'`);
      return OK;
    },
  },
  kill: {
    arity: -3,
    run(ctx, _conn, args) {
      if (args.length !== 4 || args[2]?.toString('latin1').toLowerCase() !== 'id') return errors.syntax();
      const id = parseInteger(args[3]);
      if (id === null) return new ReplyError('ERR client-id should be greater than 0');
      for (const c of ctx.connections()) {
        if (c.id === id) {
          c.closeAfterReplies();
          c.destroy();
          return OK;
        }
      }
      return new ReplyError('ERR No such client');
    },
  },
  'no-evict': { arity: 3, run: () => OK },
  'no-touch': { arity: 3, run: () => OK },
  help: { arity: 2, run: () => HELP.map((line) => new SimpleString(line)) },
};

export const clientCommand: BuiltinCommand = {
  name: 'client',
  spec: {
    arity: -2,
    flags: ['loading', 'stale'],
    summary: 'A container for client connection commands.',
    since: '2.4.0',
    group: 'connection',
    arguments: [{ name: 'subcommand', type: 'oneof', arguments: Object.keys(subcommands).map((s) => ({ name: s, type: 'pure-token' as const, token: s.toUpperCase() })) }],
  },
  run(ctx, conn, args) {
    const name = args[1]?.toString('latin1').toLowerCase() ?? '';
    const sub = subcommands[name];
    if (sub === undefined) return errors.unknownSubcommand(args[1] ?? '', 'client');
    const ok = sub.arity > 0 ? args.length === sub.arity : args.length >= -sub.arity;
    if (!ok) return errors.wrongArity(`client|${name}`);
    return sub.run(ctx, conn, args);
  },
};
