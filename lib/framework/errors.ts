/**
 * The error catalog: every error reply the framework itself sends is built here, so the
 * texts match Redis where Redis has the same error, and docs/errors.md can be checked
 * against this file by a test. Apps define their own errors next to their commands.
 */
import { ReplyError } from '../resp/types.js';

/** Redis quotes up to this many bytes of each argument in "unknown command" errors. */
const QUOTED_ARG_MAX = 128;

function quoteForError(arg: Buffer): string {
  return arg.subarray(0, QUOTED_ARG_MAX).toString('latin1').replace(/[\r\n]/g, ' ');
}

export const errors = {
  unknownCommand(args: readonly Buffer[]): ReplyError {
    const name = args[0] ? quoteForError(args[0]) : '';
    const rest = args
      .slice(1)
      .map((a) => `'${quoteForError(a)}' `)
      .join('');
    return new ReplyError(`ERR unknown command '${name}', with args beginning with: ${rest}`);
  },
  unknownSubcommand(sub: Buffer | string, command: string): ReplyError {
    const s = typeof sub === 'string' ? sub : quoteForError(sub);
    return new ReplyError(`ERR unknown subcommand '${s}'. Try ${command.toUpperCase()} HELP.`);
  },
  wrongArity(name: string): ReplyError {
    return new ReplyError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
  },
  syntax(): ReplyError {
    return new ReplyError('ERR syntax error');
  },
  notInteger(): ReplyError {
    return new ReplyError('ERR value is not an integer or out of range');
  },
  dbIndexOutOfRange(): ReplyError {
    return new ReplyError('ERR DB index is out of range');
  },
  noAuth(): ReplyError {
    return new ReplyError('NOAUTH Authentication required.');
  },
  wrongPass(): ReplyError {
    return new ReplyError('WRONGPASS invalid username-password pair or user is disabled.');
  },
  authNotConfigured(): ReplyError {
    return new ReplyError(
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
  },
  noProto(): ReplyError {
    return new ReplyError('NOPROTO unsupported protocol version');
  },
} as const;
