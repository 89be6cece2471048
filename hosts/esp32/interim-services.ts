// Stand-ins for the settings store and the registration client, which are built on their own branches
// (src/device/settings.ts, registration.ts): they keep this app complete until those are wired in
// here. Settings come from the build configuration (Wi-Fi from `mcconfig … makapixSsid=… 
// makapixPassword=…`, for development only) and live in memory; registration reports that it is not
// in this build, so the boot machine shows the failure and retries with its back-off.

import type { LoadedSettings, Registration, RegistrationEvents, SettingsSource, WifiSettings } from "../../src/device/boot-services.js";
import type { Credentials, DeviceConfig } from "../../src/device/config.js";

export class BuildConfigSettings implements SettingsSource {
  readonly #device: Omit<DeviceConfig, "credentials">;
  #wifi: WifiSettings | undefined;
  #credentials: Credentials | undefined;

  constructor(device: Omit<DeviceConfig, "credentials">, wifi: WifiSettings | undefined) {
    this.#device = device;
    this.#wifi = wifi;
  }

  load(): LoadedSettings {
    return { wifi: this.#wifi, device: this.#device, credentials: this.#credentials };
  }

  saveCredentials(credentials: Credentials): void {
    this.#credentials = credentials;
  }

  factoryReset(): void {
    this.#wifi = undefined;
    this.#credentials = undefined;
  }
}

export class MissingRegistration implements Registration {
  start(events: RegistrationEvents): void {
    events.failed("registration is not in this build");
  }

  stop(): void {}
}
