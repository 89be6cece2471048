// The Wifi port (src/ports.ts) on the SDK's `wifi` module (ESP32 station mode). One station object per
// attempt: `connect` drops the previous one first, so a late message of an old attempt is never taken
// for the new one. The station is reported up at "gotIP" (sockets need an address, not just an
// association); "disconnect" or "lostIP" ends the attempt or the connection, and the boot machine
// decides when to try again (the SDK does not retry by itself).

import WiFi from "wifi";
import type { Wifi, WifiHandlers } from "../../src/ports.js";

interface Station {
  close(): void;
}

export class EspWifi implements Wifi {
  #station: Station | undefined;

  connect(ssid: string, password: string, handlers: WifiHandlers): void {
    this.#drop();
    let up = false;
    const options = password === "" ? { ssid } : { ssid, password };
    const station: Station = new WiFi(options, (message: string) => {
      if (this.#station !== station) return;
      if (message === WiFi.gotIP) {
        if (!up) {
          up = true;
          handlers.onConnected();
        }
      } else if (message === WiFi.disconnected || message === WiFi.lostIP) {
        this.#drop();
        handlers.onDisconnected(message === WiFi.lostIP ? "address lost" : up ? "connection lost" : "could not join");
      }
    });
    this.#station = station;
  }

  disconnect(): void {
    this.#drop();
    WiFi.disconnect();
  }

  #drop(): void {
    const station = this.#station;
    this.#station = undefined;
    station?.close();
  }
}
