// The Button port (src/ports.ts) on an ECMA-419 digital input: a push button to ground (the ESP32's
// BOOT button on GPIO 0, a MatrixPortal's UP button), with the internal pull-up, so pressed reads 0.

import Digital from "embedded:io/digital";
import type { Button, ButtonHandlers } from "../../src/ports.js";

interface Input {
  read(): number;
  close(): void;
}

export class DigitalButton implements Button {
  readonly #pin: number;
  #input: Input | undefined;

  constructor(pin: number) {
    this.#pin = pin;
  }

  watch(handlers: ButtonHandlers): void {
    this.#input?.close();
    let pressed = false;
    this.#input = new Digital({
      pin: this.#pin,
      mode: Digital.InputPullUp,
      edge: Digital.Rising | Digital.Falling,
      onReadable(this: Input) {
        const down = this.read() === 0;
        if (down === pressed) return;
        pressed = down;
        if (down) handlers.onPressed();
        else handlers.onReleased();
      },
    });
  }
}
