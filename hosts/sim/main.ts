// The firmware as a Moddable simulator app: the SDK bindings of every port (hosts/moddable), the panel
// drawn on the simulator's screen, and the device layer (src/device) doing everything else, exactly as
// on the ESP32. `make sim` builds and runs it against the local demo broker, service and vault.
// Two ways to start (sim-config):
// - `device`: a session with credentials in hand (make sim), the instant start;
// - `firmware`: the whole firmware from first boot (make sim SIM_ARGS=--fresh): settings in the
//   simulator's Preference file, serial provisioning on a tty (one end of a null modem the PC's CLI
//   opens), registration with the demo service, renewal, art. The simulator is always online (no Wi-Fi
//   port), so it goes from its settings straight to registration.

import config from "sim-config";
import type { PlayerDevice } from "../../src/device/device.js";
import { createPlayerDevice } from "../../src/device/device.js";
import { memoryClassProfile, type MemoryClass } from "../../src/device/memory-class.js";
import { startPlayerFirmware, type PlayerFirmware } from "../../src/device/player-firmware.js";
import { RecentLog } from "../../src/device/recent-log.js";
import { createModdableHost } from "../moddable/host.js";
import { TraceLog } from "../moddable/log.js";
import { ModdableSerial } from "../moddable/serial.js";
import { MemoryReport } from "./memory.js";
import { reportMemory } from "./memory-session.js";
import { SimulatorPanel, type ScreenOut } from "./panel.js";

const HEX_DIGITS = "0123456789abcdef";

// The memory report (sim-config memoryReport, `mcconfig -i` builds): the heap before anything is made.
const memory = config.memoryReport > 0 ? new MemoryReport() : undefined;
memory?.mark("baseline");

/** The TLS record size the board's memory class asks of servers (the simulator plays the configured class). */
function tlsFragmentBytesOf(memoryClass: MemoryClass | undefined): number {
  return memoryClassProfile(memoryClass ?? "large")?.tlsFragmentBytes ?? 0;
}

// Whichever runs: the frame hook reads the artwork on show from it.
let session: PlayerDevice | undefined;
let firmware: PlayerFirmware | undefined;

/** The test hook: one trace line per frame, with the artwork on show. */
function traceFrame(frame: Uint8Array): void {
  const digits = new Array<string>(frame.length);
  for (let i = 0; i < frame.length; i++) digits[i] = HEX_DIGITS[frame[i]! >> 4]! + HEX_DIGITS[frame[i]! & 15]!;
  const device = session ?? firmware?.machine.device;
  const postId = device?.scheduler.current?.postId;
  trace(`SIM-FRAME ${postId ?? "-"} ${digits.join("")}\n`);
}

// The simulator's display, a global of the app (Commodetto PixelsOut).
const screen = (globalThis as unknown as { screen: ScreenOut }).screen;

/** The buttons of the simulator's device pane (`-p lin/m5stack`: a, b, c), where it has them. */
interface SimulatorButtons {
  a?: new (options: { onPush(pressed: number): void }) => object;
  b?: new (options: { onPush(pressed: number): void }) => object;
  c?: new (options: { onPush(pressed: number): void }) => object;
}
const buttons = (globalThis as unknown as { Host?: { Button?: SimulatorButtons } }).Host?.Button;
// Kept referenced for the app's lifetime: a collected button stops reporting.
const keptButtons: object[] = [];

/** a = back, b = pause/resume, c = next, on whichever session plays (released after pressed acts, as a click). */
function watchButtons(playing: () => PlayerDevice | undefined): void {
  if (!buttons?.a || !buttons.b || !buttons.c) return;
  // The player's own controls, as the website's commands use them (presence follows).
  keptButtons.push(new buttons.a({ onPush: (pressed) => pressed === 0 && playing()?.player.controls.step(-1) }));
  keptButtons.push(new buttons.b({ onPush: (pressed) => { const device = playing(); if (pressed === 0 && device) device.player.controls.setPaused(!device.scheduler.paused); } }));
  keptButtons.push(new buttons.c({ onPush: (pressed) => pressed === 0 && playing()?.player.controls.step(1) }));
}

const firmwareConfig = config.firmware;
if (firmwareConfig) {
  // The newest log lines stay in memory for the serial "recent log" command, as on the board.
  const recentLog = new RecentLog(new TraceLog(config.logLevel));
  const serial = firmwareConfig.serialDevice ? new ModdableSerial({ device: firmwareConfig.serialDevice, baud: 115200 }) : undefined;
  const host = createModdableHost({
    log: recentLog,
    clockSynchronized: true,
    storageNamespace: firmwareConfig.storageNamespace,
    tlsFragmentBytes: tlsFragmentBytesOf(firmwareConfig.board.memoryClass),
    ...(serial ? { serial } : {}),
  });
  const panel = new SimulatorPanel(screen, config.traceFrames ? traceFrame : undefined);
  firmware = startPlayerFirmware(host, {
    board: firmwareConfig.board,
    panel,
    recentLog,
    // The test hook: one line per boot state (and the registration code while one shows).
    stateChanged: (info) => trace(`SIM-STATE ${info.state}${info.code ? ` ${info.code}` : ""}\n`),
  });
  const running = firmware;
  watchButtons(() => running.machine.device);
} else if (config.device) {
  const host = createModdableHost({ logLevel: config.logLevel, clockSynchronized: true, tlsFragmentBytes: tlsFragmentBytesOf(config.device.memoryClass) });
  memory?.mark("host");
  const panel = new SimulatorPanel(screen, config.traceFrames ? traceFrame : undefined);
  memory?.mark("panel");
  const player = createPlayerDevice(host, panel, config.device);
  session = player;
  if (memory) reportMemory(memory, player, config.memoryReport);
  watchButtons(() => player);
  player.start();
} else {
  trace("sim-config has neither a device nor a firmware section: nothing to run\n");
}
