// A long press on a button: `action` runs once the button has been held `holdMs` (while still held,
// so the person holding it sees the result without letting go). A release before that cancels it and
// is reported to `released` with how long the button was held (a short press, or the panel wizard's
// "hold 2 s and let go"). The hold time may depend on what the device is doing (the panel wizard takes
// a candidate after 1 s, a factory reset takes 5 s): it is read at each press.

import type { Button, Timers } from "../ports.js";

export interface LongPressOptions {
  /** A release before the hold time, with how long the button was down (ms). */
  released?: (heldMs: number) => void;
  /** Monotonic milliseconds (the Clock port), to measure a press; required with `released`. */
  now?: () => number;
}

export class LongPress {
  readonly #timers: Timers;
  readonly #holdMs: number | (() => number);
  readonly #action: () => void;
  readonly #released: ((heldMs: number) => void) | undefined;
  readonly #now: () => number;
  #timer: number | undefined;
  #pressedAt = 0;

  constructor(timers: Timers, holdMs: number | (() => number), action: () => void, options: LongPressOptions = {}) {
    this.#timers = timers;
    this.#holdMs = holdMs;
    this.#action = action;
    this.#released = options.released;
    this.#now = options.now ?? (() => 0);
  }

  watch(button: Button): void {
    button.watch({ onPressed: () => this.#pressed(), onReleased: () => this.#release() });
  }

  cancel(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #pressed(): void {
    if (this.#timer !== undefined) return;
    this.#pressedAt = this.#now();
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#action();
    }, typeof this.#holdMs === "number" ? this.#holdMs : this.#holdMs());
  }

  /** Released before the hold time: reported. After it (the action ran) or without a press: nothing. */
  #release(): void {
    if (this.#timer === undefined) return;
    this.cancel();
    this.#released?.(this.#now() - this.#pressedAt);
  }
}
