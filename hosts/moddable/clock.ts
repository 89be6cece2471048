// The Clock port on the SDK's `time` module.
// - Monotonic: `Time.ticks` is milliseconds, but not monotonic everywhere: on the ESP32 it is a 32-bit
//   millisecond counter returned as a signed integer (it goes negative after 24.8 days), and in the Linux
//   simulator it is the wall clock (gettimeofday), which can step. So the clock adds up the differences
//   between readings taken modulo 2^32 and ignores backward steps; readings must come less than 24 days
//   apart, which any running device does (keep-alive, animation).
// - Wall time: `Date.now()` is meaningless on a device until SNTP set it (`Time.set`), so `wallTimeMs`
//   is undefined until the host calls `synchronized()`: after SNTP on the device, at once in the
//   simulator (the PC's clock is right).

import Time from "time";
import type { Clock } from "../../src/ports.js";

export class ModdableClock implements Clock {
  #synchronized: boolean;
  #last: number;
  #elapsed = 0;

  constructor(options: { synchronized?: boolean } = {}) {
    this.#synchronized = options.synchronized ?? false;
    this.#last = Time.ticks;
  }

  monotonicMs(): number {
    const now = Time.ticks;
    // `| 0` takes the difference modulo 2^32 as a signed number: a wrap of the counter counts forward.
    const step = (now - this.#last) | 0;
    this.#last = now;
    if (step > 0) this.#elapsed += step;
    return this.#elapsed;
  }

  wallTimeMs(): number | undefined {
    return this.#synchronized ? Date.now() : undefined;
  }

  get isSynchronized(): boolean {
    return this.#synchronized;
  }

  /**
   * The wall clock is right from now on. Pass the seconds since 1970 an SNTP answer gave to set the
   * system clock first (`Time.set`; the SDK's SNTP client hands them over, it does not set the clock).
   */
  synchronized(secondsSince1970?: number): void {
    if (secondsSince1970 !== undefined) Time.set(secondsSince1970);
    this.#synchronized = true;
  }
}
