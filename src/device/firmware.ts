// What this firmware tells the service about itself: its version (in every capabilities message and
// in provisioning) and the features the website may offer for it (protocol sheet §5).

import type { Capabilities } from "../makapix/presence.js";

/** Semantic version of the firmware build; one value for every host. */
export const FIRMWARE_VERSION = "0.1.0";

/** Every board has these: the display implements pause, brightness, rotation and mirror itself. */
export const CAPABILITIES: Capabilities = Object.freeze({
  pause: true,
  brightness: Object.freeze({ min: 0, max: 100, step: 1 }),
  rotation: Object.freeze([0, 90, 180, 270]),
  mirror: Object.freeze(["none", "horizontal"]),
});
