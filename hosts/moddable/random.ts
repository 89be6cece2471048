// The Random port. The SDK has no JS API for the platform's entropy source other than Math.random: XS
// implements it as c_rand() / C_RAND_MAX, and on the ESP32 c_rand() is esp_random() (the hardware RNG:
// 31 bits per call, true random while Wi-Fi or Bluetooth is on, per ESP-IDF). The crypt module's `rng`
// is an RC4 stream seeded from the same c_rand(), so it adds nothing. In the Linux simulator c_rand() is
// the C library's rand(): fine for backoff jitter, not for secrets (the simulator is a development tool).

import type { Random } from "../../src/ports.js";

export const moddableRandom: Random = Object.freeze({
  fill(bytes: Uint8Array): void {
    // Three bytes per call: the top 24 of the 31 random bits.
    for (let i = 0; i < bytes.length; i += 3) {
      const value = (Math.random() * 0x1000000) >>> 0;
      bytes[i] = value & 0xff;
      if (i + 1 < bytes.length) bytes[i + 1] = (value >>> 8) & 0xff;
      if (i + 2 < bytes.length) bytes[i + 2] = value >>> 16;
    }
  },
});
