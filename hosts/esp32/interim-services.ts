// Stand-in for the registration client until the build knows the Makapix API's CA (config.makapix.apiCa,
// a PEM): registration then reports that it is not available, so the boot machine shows the failure and
// retries with its back-off, and credentials can still be given over serial.

import type { Registration, RegistrationEvents } from "../../src/device/boot-services.js";

export class MissingRegistration implements Registration {
  start(events: RegistrationEvents): void {
    events.failed("registration needs the API's CA (config.makapix.apiCa)");
  }

  stop(): void {}
}
