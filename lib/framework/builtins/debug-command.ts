/**
 * DEBUG CLOCK-OFFSET <ms>: moves this node's wall clock (as the leader reads it for
 * replicated time) by an offset, so fault tests can jump one node's clock at run time.
 * Refused unless the node runs with --enable-debug-command, as Redis 7 does.
 */
import { OK, ReplyError } from '../../resp/types.js';
import { errors } from '../errors.js';
import type { BuiltinCommand } from './types.js';

export const debugCommand: BuiltinCommand = {
  name: 'debug',
  spec: { arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], summary: 'Test hooks: CLOCK-OFFSET <ms> jumps this node\'s wall clock.', since: '1.0.0', group: 'server' },
  run(ctx, _conn, args) {
    if (!ctx.options.enableDebugCommand) {
      return new ReplyError("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"no\", you can't use it");
    }
    const sub = args[1]?.toString('latin1').toLowerCase();
    if (sub === 'clock-offset' && args.length === 3) {
      const ms = Number(args[2]?.toString('latin1'));
      if (!Number.isSafeInteger(ms)) return errors.notInteger();
      ctx.options.clockOffsetMs = ms;
      return OK;
    }
    if (sub === 'clock-offset' && args.length === 2) return ctx.options.clockOffsetMs;
    return errors.unknownSubcommand(args[1] ?? '', 'debug');
  },
};
