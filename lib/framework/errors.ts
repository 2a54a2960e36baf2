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
  notInt32(): ReplyError {
    return new ReplyError('ERR value is out of range, value must between -2147483648 and 2147483647');
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

/**
 * Errors of the replicated service. The codes tell a client what it may assume:
 *  - TRYAGAIN: the command was NOT applied; retrying is safe.
 *  - UNCERTAIN: the command may or may not have been applied (a timeout or a lost
 *    connection after it was proposed); retry only if it is idempotent.
 *  - CLUSTERDOWN: no leader is known; nothing was done.
 *  - MOVED: redirect mode; send the command to the leader.
 */
export const frameworkErrors = {
  notCommitted(): ReplyError {
    return new ReplyError('TRYAGAIN leadership changed before the command was committed; it was not applied');
  },
  leadershipLostWhileBlocked(): ReplyError {
    return new ReplyError('UNCERTAIN this node stopped being the leader while the command waited; its wait may still complete: retry it with the same request ID to resume it');
  },
  clientGone(): ReplyError {
    return new ReplyError('UNCERTAIN the client closed its connection while the command waited');
  },
  reattached(): ReplyError {
    return new ReplyError('UNCERTAIN another request with the same ID took over this wait');
  },
  notLeader(): ReplyError {
    return new ReplyError('TRYAGAIN this node is not the leader (leadership is changing); nothing was applied');
  },
  transferring(): ReplyError {
    return new ReplyError('TRYAGAIN leadership transfer in progress; nothing was applied');
  },
  timedOut(ms: number): ReplyError {
    return new ReplyError(`UNCERTAIN no result within ${ms} ms; the command may or may not have been applied`);
  },
  readTimedOut(ms: number): ReplyError {
    return new ReplyError(`TRYAGAIN could not confirm a linearizable read point within ${ms} ms`);
  },
  forwardLost(): ReplyError {
    return new ReplyError('UNCERTAIN the connection to the leader was lost; the command may or may not have been applied');
  },
  forwardUnavailable(detail: string): ReplyError {
    return new ReplyError(`TRYAGAIN cannot reach the leader (${detail}); nothing was applied`);
  },
  noLeader(ms: number): ReplyError {
    return new ReplyError(`CLUSTERDOWN no leader elected within ${ms} ms; nothing was applied`);
  },
  moved(leaderAddr: string): ReplyError {
    return new ReplyError(`MOVED 0 ${leaderAddr}`);
  },
  notAWriteCommand(name: string): ReplyError {
    return new ReplyError(`ERR '${name}' is not a write command`);
  },
  internal(name: string, err: unknown): ReplyError {
    const detail = err instanceof Error ? err.message : String(err);
    return new ReplyError(`ERR internal error in '${name}': ${detail}`);
  },
  peerNotAuthenticated(): ReplyError {
    return new ReplyError('ERR peer command refused: authenticate with RAFT.PEER first');
  },
  peerBadSecret(): ReplyError {
    return new ReplyError('ERR peer handshake refused: wrong cluster secret');
  },
  shuttingDown(): ReplyError {
    return new ReplyError('TRYAGAIN this node is shutting down; nothing was applied');
  },
  storageFailed(): ReplyError {
    return new ReplyError('ERR this node stopped after a storage failure; see its log');
  },
} as const;
