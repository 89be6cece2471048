// The registration flow (registration.ts) as the boot machine's Registration service: one flow per
// start, its code handed over with a wall-clock expiry, its credentials (with the broker and token)
// handed over as they came. The flow retries by itself after a problem and logs it itself (once), so
// the panel keeps the last code (or "Registering…").
// The options may be a function, read at each start: an API base set over serial then applies to the
// next attempt without a reboot.

import type { Host } from "../ports.js";
import type { Registration as RegistrationService, RegistrationEvents as ServiceEvents } from "./boot-services.js";
import { Registration, type RegistrationOptions } from "./registration.js";

export class FlowRegistration implements RegistrationService {
  readonly #host: Host;
  readonly #options: RegistrationOptions | (() => RegistrationOptions);
  #flow: Registration | undefined;

  constructor(host: Host, options: RegistrationOptions | (() => RegistrationOptions)) {
    this.#host = host;
    this.#options = options;
  }

  start(events: ServiceEvents): void {
    this.stop();
    const host = this.#host;
    const flow = new Registration(
      host,
      {
        code: (code) => {
          if (this.#flow !== flow) return;
          // Without a usable expiry from the service, the flow's own lifetime for the code counts.
          const expiresAtMs = code.expiresAtMs ?? (host.clock.wallTimeMs() ?? 0) + code.validForMs;
          events.code(code.code, expiresAtMs);
        },
        registered: (credentials) => {
          if (this.#flow !== flow) return;
          this.#flow = undefined;
          events.registered(credentials);
        },
      },
      typeof this.#options === "function" ? this.#options() : this.#options,
    );
    this.#flow = flow;
    flow.start();
  }

  stop(): void {
    const flow = this.#flow;
    this.#flow = undefined;
    flow?.stop();
  }
}
