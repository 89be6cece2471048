// The firmware as a Moddable simulator app: the SDK bindings of every port (hosts/moddable), the panel
// drawn on the simulator's screen, and the device layer (src/device) doing everything else, exactly as
// on the ESP32. `make sim` builds and runs it against the local demo broker, service and vault.

import config from "sim-config";
import { createPlayerDevice } from "../../src/device/device.js";
import { memoryClassProfile } from "../../src/device/memory-class.js";
import { createModdableHost } from "../moddable/host.js";
import { MemoryReport } from "./memory.js";
import { reportMemory } from "./memory-session.js";
import { SimulatorPanel, type ScreenOut } from "./panel.js";

const HEX_DIGITS = "0123456789abcdef";

// The memory report (sim-config memoryReport, `mcconfig -i` builds): the heap before anything is made.
const memory = config.memoryReport > 0 ? new MemoryReport() : undefined;
memory?.mark("baseline");

// The TLS record size the board's memory class asks of servers (the simulator plays the configured class).
const tlsFragmentBytes = memoryClassProfile(config.device.memoryClass ?? "large")?.tlsFragmentBytes ?? 0;
const host = createModdableHost({ logLevel: config.logLevel, clockSynchronized: true, tlsFragmentBytes });
// Assigned below; the frame hook only runs after start, when it is set.
let device: ReturnType<typeof createPlayerDevice> | undefined;

/** The test hook: one trace line per frame, with the artwork on show. */
function traceFrame(frame: Uint8Array): void {
  const digits = new Array<string>(frame.length);
  for (let i = 0; i < frame.length; i++) digits[i] = HEX_DIGITS[frame[i]! >> 4]! + HEX_DIGITS[frame[i]! & 15]!;
  const postId = device?.scheduler.current?.postId;
  trace(`SIM-FRAME ${postId ?? "-"} ${digits.join("")}\n`);
}

// The simulator's display, a global of the app (Commodetto PixelsOut).
const screen = (globalThis as unknown as { screen: ScreenOut }).screen;
memory?.mark("host");
const panel = new SimulatorPanel(screen, config.traceFrames ? traceFrame : undefined);
memory?.mark("panel");
const player = createPlayerDevice(host, panel, config.device);
device = player;
if (memory) reportMemory(memory, player, config.memoryReport);

/** The buttons of the simulator's device pane (`-p lin/m5stack`: a, b, c), where it has them. */
interface SimulatorButtons {
  a?: new (options: { onPush(pressed: number): void }) => object;
  b?: new (options: { onPush(pressed: number): void }) => object;
  c?: new (options: { onPush(pressed: number): void }) => object;
}
const buttons = (globalThis as unknown as { Host?: { Button?: SimulatorButtons } }).Host?.Button;
// Kept referenced for the app's lifetime: a collected button stops reporting.
const keptButtons: object[] = [];
if (buttons?.a && buttons.b && buttons.c) {
  // Released (0) after pressed (1) acts, as a click does: a = back, b = pause/resume, c = next.
  // The player's own controls, as the website's commands use them (presence follows).
  const { controls } = player.player;
  keptButtons.push(new buttons.a({ onPush: (pressed) => pressed === 0 && controls.step(-1) }));
  keptButtons.push(new buttons.b({ onPush: (pressed) => pressed === 0 && controls.setPaused(!player.scheduler.paused) }));
  keptButtons.push(new buttons.c({ onPush: (pressed) => pressed === 0 && controls.step(1) }));
}
player.start();
