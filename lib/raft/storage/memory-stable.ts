/**
 * The in-memory StableStore twin. save() without sync leaves the durable copy unchanged
 * until syncNow() (or a synced save); crash() reverts to the durable copy, as a power
 * failure would. Effects are synchronous; promises are already resolved.
 */
import type { HardState } from '../core/types.js';
import type { StableStore } from './types.js';

export class MemoryStableStore implements StableStore {
  private current: HardState | null = null;
  private durable: HardState | null = null;

  load(): HardState | null {
    return this.current;
  }

  save(state: HardState, options: { readonly sync: boolean }): Promise<void> {
    this.current = { term: state.term, vote: state.vote, commit: state.commit };
    if (options.sync) this.durable = this.current;
    return Promise.resolve();
  }

  /** Twin-only: an fsync covering earlier unsynced saves. */
  syncNow(): void {
    this.durable = this.current;
  }

  /** Twin-only: a power failure loses saves that were not synced. */
  crash(): void {
    this.current = this.durable;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
