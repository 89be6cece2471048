// Reconnect delays: exponential from `initialMs`, doubling to `maximumMs`, with "equal jitter"
// (half fixed, half random) so a fleet restarted by one broker outage does not reconnect in lockstep.

export interface BackoffOptions {
  initialMs: number;
  maximumMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 1000, maximumMs: 300_000 });

export class Backoff {
  #attempt = 0;
  readonly #options: BackoffOptions;

  constructor(options: BackoffOptions = DEFAULT_BACKOFF) {
    this.#options = options;
  }

  /** Failures since the last success. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The ceiling of the next delay, before jitter. */
  nextCeilingMs(): number {
    const { initialMs, maximumMs } = this.#options;
    // 2^attempt overflows nothing here: the cap is reached after ~9 doublings.
    const exponent = this.#attempt < 30 ? this.#attempt : 30;
    const ceiling = initialMs * 2 ** exponent;
    return ceiling < maximumMs ? ceiling : maximumMs;
  }

  /** Delay before the next attempt; `unitRandom` in [0, 1). Counts the attempt. */
  nextDelayMs(unitRandom: number): number {
    const ceiling = this.nextCeilingMs();
    this.#attempt++;
    return Math.floor(ceiling / 2 + unitRandom * (ceiling / 2));
  }

  reset(): void {
    this.#attempt = 0;
  }
}
