/** What a warm container remembers of an aggregate between invocations. */
export interface CachedAggregate {
  readonly state: unknown;
  readonly version: number;
}

/** A bounded least-recently-used map (a Map keeps insertion order; a hit re-inserts). */
export class WarmCache {
  private readonly entries = new Map<string, CachedAggregate>();
  constructor(readonly maxEntries: number = 1000) {}

  get(aggregateId: string): CachedAggregate | undefined {
    const entry = this.entries.get(aggregateId);
    if (entry) {
      this.entries.delete(aggregateId);
      this.entries.set(aggregateId, entry);
    }
    return entry;
  }

  set(aggregateId: string, entry: CachedAggregate): void {
    this.entries.delete(aggregateId);
    this.entries.set(aggregateId, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(aggregateId: string): void {
    this.entries.delete(aggregateId);
  }

  get size(): number {
    return this.entries.size;
  }
}
