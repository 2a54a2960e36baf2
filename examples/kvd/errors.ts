/**
 * Every error reply kvd sends beyond the framework's shared ones, with Redis 7's exact
 * texts (checked against redis-server by test/kvd/differential.test.ts).
 */
import { ReplyError } from '../../lib/resp/types.js';
import { errors } from '../../lib/framework/errors.js';

export const kvdErrors = {
  ...errors,
  wrongType(): ReplyError {
    return new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value');
  },
  overflow(): ReplyError {
    return new ReplyError('ERR increment or decrement would overflow');
  },
  decrementOverflow(): ReplyError {
    return new ReplyError('ERR decrement would overflow');
  },
  notFloat(): ReplyError {
    return new ReplyError('ERR value is not a valid float');
  },
  nanOrInfinity(): ReplyError {
    return new ReplyError('ERR increment would produce NaN or Infinity');
  },
  invalidExpire(command: string): ReplyError {
    return new ReplyError(`ERR invalid expire time in '${command.toLowerCase()}' command`);
  },
  stringTooLong(): ReplyError {
    return new ReplyError('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  },
  offsetOutOfRange(): ReplyError {
    return new ReplyError('ERR offset is out of range');
  },
  noSuchKey(): ReplyError {
    return new ReplyError('ERR no such key');
  },
  sameObject(): ReplyError {
    return new ReplyError('ERR source and destination objects are the same');
  },
  invalidCursor(): ReplyError {
    return new ReplyError('ERR invalid cursor');
  },
  hashValueNotInteger(): ReplyError {
    return new ReplyError('ERR hash value is not an integer');
  },
  notInt32(): ReplyError {
    return new ReplyError('ERR value is out of range, value must between -2147483648 and 2147483647');
  },
  mustBePositive(): ReplyError {
    return new ReplyError('ERR value is out of range, must be positive');
  },
  invalidDbIndex(which: 'first' | 'second'): ReplyError {
    return new ReplyError(`ERR invalid ${which} DB index`);
  },
  unsupportedOption(option: string): ReplyError {
    return new ReplyError(`ERR Unsupported option ${option}`);
  },
  expireFlagsNxXx(): ReplyError {
    return new ReplyError('ERR NX and XX, GT or LT options at the same time are not compatible');
  },
  expireFlagsGtLt(): ReplyError {
    return new ReplyError('ERR GT and LT options at the same time are not compatible');
  },
} as const;
