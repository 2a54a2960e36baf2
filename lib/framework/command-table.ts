/**
 * Every command a node knows, built-in or the app's, by lower-case name. COMMAND
 * COUNT/INFO/DOCS/LIST read it; the router looks commands up in it.
 */
import type { App, CommandDefinition, CommandSpec } from './app.js';
import type { BuiltinCommand } from './builtins/types.js';

export type TableEntry<D = unknown> =
  | { readonly source: 'builtin'; readonly name: string; readonly spec: CommandSpec; readonly builtin: BuiltinCommand }
  | { readonly source: 'app'; readonly name: string; readonly spec: CommandSpec; readonly app: CommandDefinition<D> };

export class CommandTable<D = unknown> {
  private readonly entries = new Map<string, TableEntry<D>>();

  constructor(builtins: readonly BuiltinCommand[], app: App<D> | null) {
    for (const b of builtins) this.put({ source: 'builtin', name: b.name, spec: b.spec, builtin: b });
    if (app !== null) {
      for (const def of app.commands.values()) this.put({ source: 'app', name: def.name, spec: def.spec, app: def });
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(lowerName: string): TableEntry<D> | undefined {
    return this.entries.get(lowerName);
  }

  all(): IterableIterator<TableEntry<D>> {
    return this.entries.values();
  }

  private put(entry: TableEntry<D>): void {
    if (this.entries.has(entry.name)) throw new Error(`command ${entry.name} is defined twice (built-in and app?)`);
    this.entries.set(entry.name, entry);
  }
}
