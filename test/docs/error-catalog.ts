/**
 * Renders every error reply the servers can send, straight from the catalogs in code, as
 * the Markdown of docs/errors.md. Parameters show as <name> (read from each function's
 * parameter list), so the doc reads as a template of the real text.
 */
import { errors, frameworkErrors } from '../../lib/framework/errors.js';
import { PROTOCOL_ERRORS } from '../../lib/resp/protocol-errors.js';
import { kvdErrors } from '../../examples/kvd/errors.js';
import { semErrors } from '../../examples/semaphored/errors.js';
import type { ReplyError } from '../../lib/resp/types.js';

type Catalog = Record<string, unknown>;

/** Arguments for functions whose parameters are not plain text. */
const OVERRIDES: Record<string, unknown[]> = {
  unknownCommand: [[Buffer.from('<name>'), Buffer.from('<arg>')]],
  unknownSubcommand: ['<subcommand>', '<command>'],
  ended: ['<rid>', 'cancelled'],
  internal: ['<name>', new Error('<detail>')],
};

function parameterNames(fn: (...args: never[]) => unknown): string[] {
  const source = fn.toString();
  // A one-parameter arrow function may print without parentheses: `got=>...`.
  const bare = /^\s*([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  const match = /^[^(]*\(([^)]*)\)/.exec(source);
  const list = bare?.[1] ?? match?.[1] ?? '';
  return list
    .split(',')
    .map((p) => p.trim().replace(/[:=].*$/, '').trim())
    .filter((p) => p !== '');
}

function render(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'function') throw new Error(`catalog entry ${name} is neither text nor function`);
  const fn = value as (...args: unknown[]) => unknown;
  const args = OVERRIDES[name] ?? parameterNames(fn).map((p) => `<${p}>`);
  const out = fn(...args);
  return typeof out === 'string' ? out : (out as ReplyError).message;
}

function section(title: string, intro: string, catalog: Catalog, prefix = '', skip: Catalog = {}): string {
  const rows = Object.entries(catalog)
    .filter(([name]) => !(name in skip))
    .map(([name, value]) => `| \`${name}\` | \`${prefix}${render(name, value).replace(/\|/g, '\\|')}\` |`);
  return [`## ${title}`, '', intro, '', '| name in code | reply |', '|---|---|', ...rows, ''].join('\n');
}

export function renderErrorCatalog(): string {
  return [
    '# Error replies',
    '',
    'Every error reply respraft, kvd and semaphored can send, generated from the catalogs in',
    'code (`npm test` fails when this file and the code disagree; `UPDATE_GOLDEN=1 npm test --',
    'test/docs` rewrites it). `<name>` marks a value filled in at run time.',
    '',
    'Codes tell a client what it may assume: `TRYAGAIN`, `CLUSTERDOWN` and `MOVED` mean the',
    'command was **not** applied (safe to retry); `UNCERTAIN` means it may or may not have been',
    'applied (retry only if it is idempotent, or with the same request ID for semaphored).',
    '',
    section('Protocol errors', 'The connection is closed after these (lib/resp/protocol-errors.ts).', PROTOCOL_ERRORS, 'ERR Protocol error: '),
    section('Command errors', 'Shared by every app, with Redis\'s texts (lib/framework/errors.ts, `errors`).', errors),
    section('Replication errors', 'Leadership, forwarding and peers (lib/framework/errors.ts, `frameworkErrors`).', frameworkErrors),
    section('kvd', 'Redis 7\'s texts (examples/kvd/errors.ts), besides the command errors above.', kvdErrors, '', errors),
    section('semaphored', 'examples/semaphored/errors.ts, besides the command errors above.', semErrors, '', errors),
  ].join('\n');
}
