// A long press on a button: `action` runs once the button has been held `holdMs` (while still held,
// so the person holding it sees the result without letting go). A release before that cancels it and
// counts as a short press (`shortPress`, when given). The hold time may depend on what the device is
// doing (the panel wizard confirms after 1 s, a factory reset takes 5 s): it is read at each press.

import type { Button, Timers } from "../ports.js";

export class LongPress {
  readonly #timers: Timers;
  readonly #holdMs: number | (() => number);
  readonly #action: () => void;
  readonly #shortPress: (() => void) | undefined;
  #timer: number | undefined;

  constructor(timers: Timers, holdMs: number | (() => number), action: () => void, shortPress?: () => void) {
    this.#timers = timers;
    this.#holdMs = holdMs;
    this.#action = action;
    this.#shortPress = shortPress;
  }

  watch(button: Button): void {
    button.watch({ onPressed: () => this.#pressed(), onReleased: () => this.#released() });
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
    }, typeof this.#holdMs === "number" ? this.#holdMs : this.#holdMs());
  }

  /** Released before the hold time: a short press. After it (the action ran): nothing. */
  #released(): void {
    if (this.#timer === undefined) return;
    this.cancel();
    this.#shortPress?.();
  }
}
