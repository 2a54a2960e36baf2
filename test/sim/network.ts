/**
 * A seeded network: every message gets a random delay (so messages reorder), may be
 * dropped or duplicated, and never crosses a cut link. Partitions are sets of cut
 * directed links, so both symmetric and one-way partitions are expressible.
 */
import type { Message, NodeId } from '../../lib/raft/core/types.js';
import type { Rng } from '../../lib/util/rng.js';

export interface NetworkProfile {
  readonly dropRate: number;
  readonly dupRate: number;
  /** Delay in time units, uniform in [minDelay, maxDelay]... */
  readonly minDelay: number;
  readonly maxDelay: number;
  /** ...except this fraction, which is slow (up to slowDelay). */
  readonly slowRate: number;
  readonly slowDelay: number;
}

export interface NetworkStats {
  sent: number;
  dropped: number;
  duplicated: number;
}

export class Network {
  private readonly cut = new Set<string>();
  readonly stats: NetworkStats = { sent: 0, dropped: 0, duplicated: 0 };

  constructor(
    private readonly rng: Rng,
    readonly profile: NetworkProfile,
    private readonly schedule: (delay: number, deliver: () => void) => void,
    private readonly deliver: (m: Message) => void,
    /** Optionally what the wire does to a message (encode + decode), applied once per send. */
    private readonly wire: ((m: Message) => Message) | null = null,
  ) {}

  send(messages: readonly Message[]): void {
    for (const sent of messages) {
      const m = this.wire === null ? sent : this.wire(sent);
      this.stats.sent++;
      if (this.cut.has(`${m.from}->${m.to}`) || this.rng.chance(this.profile.dropRate)) {
        this.stats.dropped++;
        continue;
      }
      this.schedule(this.delay(), () => this.deliver(m));
      if (this.rng.chance(this.profile.dupRate)) {
        this.stats.duplicated++;
        this.schedule(this.delay(), () => this.deliver(m));
      }
    }
  }

  private delay(): number {
    const p = this.profile;
    if (this.rng.chance(p.slowRate)) return this.rng.range(p.maxDelay, p.slowDelay);
    return this.rng.range(p.minDelay, p.maxDelay);
  }

  /** Cuts every link between the two groups, both ways. */
  partition(a: readonly NodeId[], b: readonly NodeId[]): void {
    for (const x of a) {
      for (const y of b) {
        this.cut.add(`${x}->${y}`);
        this.cut.add(`${y}->${x}`);
      }
    }
  }

  cutOneWay(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}->${to}`);
  }

  heal(): void {
    this.cut.clear();
  }

  describe(): string {
    return this.cut.size === 0 ? 'healed' : [...this.cut].join(' ');
  }
}
