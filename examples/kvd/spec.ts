/**
 * Short builders for CommandSpecs, so each command's COMMAND INFO / DOCS facts (arity,
 * flags, key positions, arguments as redis-cli shows them) read as one declaration next to
 * its handler.
 */
import type { ArgumentSpec, CommandSpec } from '../../lib/framework/app.js';

interface ArgOptions {
  readonly token?: string;
  readonly optional?: boolean;
  readonly multiple?: boolean;
}

function arg(name: string, type: ArgumentSpec['type'], options: ArgOptions, nested?: ArgumentSpec[]): ArgumentSpec {
  return {
    name,
    type,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.optional === true ? { optional: true } : {}),
    ...(options.multiple === true ? { multiple: true } : {}),
    ...(nested !== undefined ? { arguments: nested } : {}),
  };
}

export const a = {
  key: (name = 'key', options: ArgOptions = {}) => arg(name, 'key', options),
  string: (name: string, options: ArgOptions = {}) => arg(name, 'string', options),
  integer: (name: string, options: ArgOptions = {}) => arg(name, 'integer', options),
  double: (name: string, options: ArgOptions = {}) => arg(name, 'double', options),
  pattern: (name: string, options: ArgOptions = {}) => arg(name, 'pattern', options),
  unixTime: (name: string, options: ArgOptions = {}) => arg(name, 'unix-time', options),
  /** A bare keyword such as NX. */
  token: (token: string, options: ArgOptions = {}) => arg(token.toLowerCase(), 'pure-token', { ...options, token }),
  oneof: (name: string, choices: ArgumentSpec[], options: ArgOptions = {}) => arg(name, 'oneof', options, choices),
  block: (name: string, parts: ArgumentSpec[], options: ArgOptions = {}) => arg(name, 'block', options, parts),
};

/** The expiry choice shared by SET and GETEX; `last` is KEEPTTL or PERSIST. */
export function expirationArg(last: 'KEEPTTL' | 'PERSIST'): ArgumentSpec {
  return a.oneof(
    'expiration',
    [
      a.integer('seconds', { token: 'EX' }),
      a.integer('milliseconds', { token: 'PX' }),
      a.unixTime('unix-time-seconds', { token: 'EXAT' }),
      a.unixTime('unix-time-milliseconds', { token: 'PXAT' }),
      a.token(last),
    ],
    { optional: true },
  );
}

interface SpecInput {
  readonly arity: number;
  /** Space-separated COMMAND INFO flags. */
  readonly flags: string;
  /** [first, last, step]; omitted for commands without keys. */
  readonly keys?: readonly [number, number, number];
  readonly summary: string;
  readonly since: string;
  readonly group: 'string' | 'generic' | 'server' | 'hash' | 'list';
  readonly complexity: string;
  readonly args?: readonly ArgumentSpec[];
}

export function spec(input: SpecInput): CommandSpec {
  const [firstKey, lastKey, step] = input.keys ?? [0, 0, 0];
  return {
    arity: input.arity,
    flags: input.flags.split(' ').filter((f) => f !== ''),
    firstKey,
    lastKey,
    step,
    summary: input.summary,
    since: input.since,
    group: input.group,
    complexity: input.complexity,
    arguments: input.args ?? [],
  };
}

/** The common shape: one key, O(1). */
export function keySpec(
  arity: number,
  flags: string,
  group: SpecInput['group'],
  since: string,
  summary: string,
  args: readonly ArgumentSpec[] = [a.key()],
): CommandSpec {
  return spec({ arity, flags, keys: [1, 1, 1], summary, since, group, complexity: 'O(1)', args });
}
