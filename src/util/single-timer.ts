// One pending timer at most, through the Timers port: setting it again replaces the waiting one, and
// clearing is safe at any time. For state machines whose every step waits for one thing (a back-off,
// a time-out, the next check), so that a step can never leave a second timer behind.

import type { TimerId, Timers } from "../ports.js";

export class SingleTimer {
  readonly #timers: Timers;
  #id: TimerId | undefined;

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  /** Whether a callback is waiting. */
  get pending(): boolean {
    return this.#id !== undefined;
  }

  /** Calls `callback` once after `ms`, in place of whatever was waiting. */
  set(callback: () => void, ms: number): void {
    this.clear();
    this.#id = this.#timers.set(() => {
      this.#id = undefined;
      callback();
    }, ms);
  }

  clear(): void {
    if (this.#id !== undefined) this.#timers.clear(this.#id);
    this.#id = undefined;
  }
}
