// The service's two rate-limit shapes, on an injectable clock:
// a counter whose expiry is renewed by every allowed hit (Redis INCR + EXPIRE), and a lock key that
// blocks until it expires (Redis SETEX, the 1-view-per-5-s rule and the duplicate-view key).

export class CountingLimiter {
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts a hit for `key`; false (and not counted) when the limit is reached. */
  take(key: string): boolean {
    const now = this.now();
    let counter = this.counters.get(key);
    if (!counter || counter.expiresAt <= now) counter = { count: 0, expiresAt: 0 };
    if (counter.count >= this.max) return false;
    this.counters.set(key, { count: counter.count + 1, expiresAt: now + this.windowMs });
    return true;
  }
}

export class ExpiringKeys {
  private readonly keys = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** Milliseconds until `key` expires, or 0 when it is not set. */
  remaining(key: string): number {
    const expiresAt = this.keys.get(key);
    if (expiresAt === undefined) return 0;
    const left = expiresAt - this.now();
    if (left <= 0) this.keys.delete(key);
    return Math.max(0, left);
  }

  set(key: string, ttlMs: number): void {
    this.keys.set(key, this.now() + ttlMs);
    if (this.keys.size > 10_000) for (const k of this.keys.keys()) this.remaining(k); // drop the expired
  }
}
