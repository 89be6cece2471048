// The registration code on the panel while the owner types it on the website: redrawn every minute so
// its "min left" counts down. With a preview (art before registration, protocol sheet §9), the code
// stays up `showMs` of each minute and the preview plays the rest. The screen names where to type the
// code: the preview's site (the host of the API in use), or makapix.club without a preview.

import type { Display } from "../display/display.js";
import type { Clock, Timers } from "../ports.js";
import { codeStatus } from "./boot-screens.js";
import type { Preview } from "./boot-services.js";

/** The code screen is redrawn this often, so its minutes count down. */
const CODE_REFRESH_MS = 60_000;

export class CodeScreen {
  readonly #timers: Timers;
  readonly #clock: Clock;
  readonly #preview: Preview | undefined;
  readonly #showMs: number;
  #display: Display | undefined;
  #code: { code: string; expiresAtMs: number } | undefined;
  #timer: number | undefined;
  #previewing = false;

  constructor(timers: Timers, clock: Clock, preview: Preview | undefined, showMs: number) {
    this.#timers = timers;
    this.#clock = clock;
    this.#preview = preview;
    this.#showMs = Math.min(showMs, CODE_REFRESH_MS);
  }

  /** The code shown now, if any. */
  get code(): string | undefined {
    return this.#code?.code;
  }

  /** Registration started: the preview plays until there is a code. */
  begin(display: Display): void {
    this.#display = display;
    this.#startPreview();
  }

  /** A new code (6 characters) and when it expires (wall time, ms since 1970). */
  show(code: string, expiresAtMs: number): void {
    this.#code = { code, expiresAtMs };
    this.#draw();
  }

  /** Registration is over: no timer, no preview. */
  end(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#code = undefined;
    this.#display = undefined;
    this.#stopPreview();
  }

  #draw(): void {
    const shown = this.#code;
    const display = this.#display;
    if (!shown || !display) return;
    this.#stopPreview();
    const now = this.#clock.wallTimeMs();
    // The site comes with the preview (the same API as the registration); the Makapix site without one.
    const message = codeStatus(shown.code, now === undefined ? 0 : (shown.expiresAtMs - now) / 60_000, this.#preview?.site?.());
    display.showStatus(message.text, message.level);
    if (!this.#preview) {
      this.#after(CODE_REFRESH_MS, () => this.#draw());
      return;
    }
    this.#after(this.#showMs, () => {
      this.#startPreview();
      this.#after(CODE_REFRESH_MS - this.#showMs, () => this.#draw());
    });
  }

  #after(ms: number, callback: () => void): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      callback();
    }, ms);
  }

  #startPreview(): void {
    if (!this.#preview || !this.#display || this.#previewing) return;
    this.#previewing = true;
    this.#preview.start(this.#display);
  }

  #stopPreview(): void {
    if (!this.#previewing) return;
    this.#previewing = false;
    this.#preview?.stop();
  }
}
