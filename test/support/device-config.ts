// A complete, valid device configuration for device-layer tests (PEM-shaped text, not real keys): a
// small-class board (ESP32 without PSRAM) with the largest panel that class drives, 64×32. A test that
// wants a bigger panel asks for the large class too.
// Portable: no Node APIs (the unit tests run in XS too).

import type { DeviceConfig } from "../../src/device/config.js";

export const TEST_PLAYER_KEY = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";

export const pem = (label: string, body = "MIIBtest") => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

export function validConfig(overrides: Partial<DeviceConfig> = {}): DeviceConfig {
  return {
    panel: { size: "64x32" },
    memoryClass: "small",
    broker: { host: "broker.test", port: 8883 },
    credentials: { playerKey: TEST_PLAYER_KEY, ca: pem("CERTIFICATE", "CA"), certificate: pem("CERTIFICATE", "CERT"), key: pem("PRIVATE KEY", "KEY") },
    vault: { url: "http://vault.test" },
    ...overrides,
  };
}
