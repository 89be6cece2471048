// A long press on a button: `action` runs once the button has been held `holdMs` (while still held,
// so the person holding it sees the result without letting go). A release before that cancels it.

import type { Button, Timers } from "../ports.js";

export class LongPress {
  readonly #timers: Timers;
  readonly #holdMs: number;
  readonly #action: () => void;
  #timer: number | undefined;

  constructor(timers: Timers, holdMs: number, action: () => void) {
    this.#timers = timers;
    this.#holdMs = holdMs;
    this.#action = action;
  }

  watch(button: Button): void {
    button.watch({ onPressed: () => this.#pressed(), onReleased: () => this.cancel() });
  }

  cancel(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #pressed(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#action();
    }, this.#holdMs);
  }
}
