/**
 * Query parameters read case-insensitively: the seeds write the same parameter as `ItemsPerPage` and
 * `itemsPerPage`, `includeMetadata` and `includeMetaData`, `tripId` and `tripid`.
 */
export class QueryParams {
  private readonly byName = new Map<string, string>();

  constructor(readonly raw: URLSearchParams) {
    for (const [name, value] of raw) this.byName.set(name.toLowerCase(), value);
  }

  get(name: string): string | undefined {
    return this.byName.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  /** `true`/`1` (any case) is true; anything else, or absence, is false. */
  flag(name: string): boolean {
    return /^(true|1)$/i.test(this.get(name)?.trim() ?? '');
  }

  /** Every parameter, the last value winning (for the request log). */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.raw);
  }
}
