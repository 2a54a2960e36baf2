/** INFO [section ...]: Redis's "# Section" / key:value text; unknown sections print nothing, as in Redis. */
import { Verbatim } from '../../resp/types.js';
import type { BuiltinCommand } from './types.js';

function title(section: string): string {
  return section.charAt(0).toUpperCase() + section.slice(1);
}

export const infoCommand: BuiltinCommand = {
  name: 'info',
  spec: {
    arity: -1,
    flags: ['loading', 'stale'],
    summary: 'Returns information and statistics about the node (server, clients, stats, persistence, raft, keyspace).',
    since: '1.0.0',
    group: 'server',
    arguments: [{ name: 'section', type: 'string', optional: true, multiple: true }],
  },
  run(ctx, _conn, args) {
    let sections: string[] = args.slice(1).map((a) => a.toString('latin1').toLowerCase());
    if (sections.length === 0 || sections.includes('default')) sections = [...ctx.defaultInfoSections, ...sections.filter((s) => s !== 'default')];
    if (sections.includes('all') || sections.includes('everything')) sections = [...ctx.allInfoSections];
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const name of sections) {
      if (seen.has(name)) continue;
      seen.add(name);
      const lines = ctx.infoSection(name);
      if (lines === null) continue;
      parts.push(`# ${title(name)}\r\n${lines.map((l) => `${l}\r\n`).join('')}`);
    }
    return new Verbatim(parts.join('\r\n'));
  },
};
