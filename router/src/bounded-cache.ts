export interface BoundedCacheOptions {
  /** Entries kept at most. */
  maxEntries: number;
  /**
   * Total weight kept at most: the bytes of the operation texts the entries were made from (a
   * parsed document or a compiled plan grows with its text). Default: no bound but the count.
   */
  maxWeight?: number;
}

/**
 * What the router remembers per operation text (parses, validated documents, compiled plans):
 * bounded by count and by the size of the texts, so hostile traffic of large distinct documents
 * cannot grow it without end. When full it starts again, empty: simpler than an LRU, and the
 * operations of real traffic are few and come back at once. An entry heavier than the whole bound
 * is not kept at all.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private weight = 0;
  private readonly maxWeight: number;

  constructor(private readonly options: BoundedCacheOptions) {
    this.maxWeight = options.maxWeight ?? Number.POSITIVE_INFINITY;
  }

  get(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: K, value: V, weight = 0): void {
    if (weight > this.maxWeight) return;
    this.delete(key);
    if (this.entries.size >= this.options.maxEntries || this.weight + weight > this.maxWeight) this.clear();
    this.entries.set(key, { value, weight });
    this.weight += weight;
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.weight -= entry.weight;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.weight = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The bound of every per-text cache: 8 MB of operation texts (their documents and plans take several times that). */
export const MAX_CACHED_TEXT_BYTES = 8 * 1024 * 1024;
