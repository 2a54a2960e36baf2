/**
 * Connection commands served locally on every node: PING, ECHO, HELLO, AUTH, QUIT,
 * RESET, SELECT, TIME. Texts and reply shapes follow Redis 7.
 */
import { OK, PONG, ReplyError, SimpleString, type Reply } from '../../resp/types.js';
import { errors } from '../errors.js';
import type { ClientConnection } from '../connection.js';
import type { BuiltinCommand, BuiltinContext } from './types.js';
import { parseInt32, parseInteger } from './parse.js';

/** What HELLO and INFO report as the Redis version: the command set kvd follows. */
export const REDIS_COMPAT_VERSION = '7.0.0';

const ping: BuiltinCommand = {
  name: 'ping',
  spec: { arity: -1, flags: ['fast', 'stale'], summary: 'Returns the server\'s liveliness response.', since: '1.0.0', group: 'connection', arguments: [{ name: 'message', type: 'string', optional: true }] },
  run(_ctx, _conn, args) {
    if (args.length > 2) return errors.wrongArity('ping');
    return args[1] ?? PONG;
  },
};

const echo: BuiltinCommand = {
  name: 'echo',
  spec: { arity: 2, flags: ['fast', 'stale'], summary: 'Returns the given string.', since: '1.0.0', group: 'connection', arguments: [{ name: 'message', type: 'string' }] },
  run: (_ctx, _conn, args) => args[1] ?? null,
};

const quit: BuiltinCommand = {
  name: 'quit',
  beforeAuth: true,
  spec: { arity: -1, flags: ['fast', 'noauth', 'stale'], summary: 'Closes the connection.', since: '1.0.0', group: 'connection' },
  run(_ctx, conn) {
    conn.closeAfterReplies();
    return OK;
  },
};

const time: BuiltinCommand = {
  name: 'time',
  spec: { arity: 1, flags: ['fast', 'stale'], summary: 'Returns the server time (this node\'s wall clock).', since: '2.6.0', group: 'server' },
  run(ctx) {
    const micros = Math.floor((performance.timeOrigin + performance.now() + ctx.options.clockOffsetMs) * 1000);
    return [String(Math.floor(micros / 1e6)), String(micros % 1e6)];
  },
};

const select: BuiltinCommand = {
  name: 'select',
  spec: { arity: 2, flags: ['fast', 'loading', 'stale'], summary: 'Changes the selected database.', since: '1.0.0', group: 'connection', arguments: [{ name: 'index', type: 'integer' }] },
  run(ctx, conn, args) {
    const index = parseInt32(args[1]);
    if (index === 'notInteger') return errors.notInteger();
    if (index === 'outOfRange') return errors.notInt32();
    if (index < 0 || index >= ctx.databases) return errors.dbIndexOutOfRange();
    conn.db = index;
    return OK;
  },
};

function authenticate(ctx: BuiltinContext, conn: ClientConnection, user: Buffer | null, password: Buffer): ReplyError | null {
  if (ctx.options.auth === null) return errors.authNotConfigured();
  const userOk = user === null || user.toString('latin1') === 'default';
  // Check the password even for a wrong user, so the time taken says nothing about either.
  const passwordOk = ctx.checkPassword(password);
  if (!userOk || !passwordOk) return errors.wrongPass();
  conn.authenticated = true;
  return null;
}

const auth: BuiltinCommand = {
  name: 'auth',
  beforeAuth: true,
  spec: { arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'noauth', 'allow_busy'], summary: 'Authenticates the connection.', since: '1.0.0', group: 'connection', arguments: [{ name: 'username', type: 'string', optional: true }, { name: 'password', type: 'string' }] },
  run(ctx, conn, args) {
    if (args.length > 3) return errors.syntax();
    const password = args.length === 3 ? args[2] : args[1];
    const user = args.length === 3 ? (args[1] ?? null) : null;
    if (password === undefined) return errors.wrongArity('auth');
    if (args.length === 2 && ctx.options.auth === null) return errors.authNotConfigured();
    return authenticate(ctx, conn, user, password) ?? OK;
  },
};

const hello: BuiltinCommand = {
  name: 'hello',
  beforeAuth: true,
  spec: {
    arity: -1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'noauth', 'allow_busy'],
    summary: 'Handshakes with the server: protocol version, authentication, client name.',
    since: '6.0.0',
    group: 'connection',
    arguments: [
      {
        name: 'arguments',
        type: 'block',
        optional: true,
        arguments: [
          { name: 'protover', type: 'integer' },
          { name: 'username-password', type: 'block', token: 'AUTH', optional: true, arguments: [{ name: 'username', type: 'string' }, { name: 'password', type: 'string' }] },
          { name: 'clientname', type: 'string', token: 'SETNAME', optional: true },
        ],
      },
    ],
  },
  run(ctx, conn, args) {
    let proto = conn.proto;
    let i = 1;
    if (args.length > 1) {
      const requested = parseInteger(args[1]);
      if (requested === null) return new ReplyError('ERR Protocol version is not an integer or out of range');
      if (requested !== 2 && requested !== 3) return errors.noProto();
      proto = requested;
      i = 2;
    }
    let name: string | null | undefined;
    for (; i < args.length; i++) {
      const option = args[i]?.toString('latin1').toLowerCase();
      if (option === 'auth' && i + 2 < args.length) {
        const failure = authenticate(ctx, conn, args[i + 1] ?? null, args[i + 2] ?? Buffer.alloc(0));
        if (failure !== null) return failure;
        i += 2;
      } else if (option === 'setname' && i + 1 < args.length) {
        const candidate = args[i + 1]?.toString('latin1') ?? '';
        if (!validClientName(candidate)) return invalidClientName();
        name = candidate;
        i += 1;
      } else {
        return new ReplyError(`ERR Syntax error in HELLO option '${args[i]?.toString('latin1') ?? ''}'`);
      }
    }
    if (!conn.authenticated) {
      return new ReplyError('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    }
    if (name !== undefined) conn.name = name;
    conn.proto = proto;
    const reply = new Map<Reply, Reply>([
      ['server', 'redis'],
      ['version', REDIS_COMPAT_VERSION],
      ['proto', proto],
      ['id', conn.id],
      ['mode', ctx.options.redirect ? 'cluster' : 'standalone'],
      ['role', ctx.role()],
      ['modules', []],
      ['app', ctx.appName],
      ['app_version', ctx.appVersion],
    ]);
    return reply;
  },
};

const reset: BuiltinCommand = {
  name: 'reset',
  beforeAuth: true,
  spec: { arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'noauth', 'allow_busy'], summary: 'Resets the connection: protocol 2, database 0, no name, unauthenticated when a password is set.', since: '6.2.0', group: 'connection' },
  run(ctx, conn) {
    conn.proto = 2;
    conn.db = 0;
    conn.name = null;
    conn.authenticated = ctx.options.auth === null;
    return new SimpleString('RESET');
  },
};

/** Redis refuses names with spaces, newlines or other characters outside '!'..'~'. */
export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

export function invalidClientName(): ReplyError {
  return new ReplyError('ERR Client names cannot contain spaces, newlines or special characters.');
}

export const connectionCommands: readonly BuiltinCommand[] = [ping, echo, quit, time, select, auth, hello, reset];
