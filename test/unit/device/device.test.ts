// The assembled device on the virtual host: a scripted broker plays the service (MQTT over the
// in-memory network), a scripted vault serves artwork files, and a recording panel shows what a
// viewer would see. Start says "connecting", troubles become status screens, the memory class decides
// which files are fetched and how many frames are kept, and a stopped device leaves nothing running.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createPlayerDevice, type PlayerDevice } from "../../../src/device/device.js";
import { DeviceConfigError, type DeviceConfig, type ResolvedPanelSettings } from "../../../src/device/config.js";
import { CAPABILITIES, FIRMWARE_VERSION } from "../../../src/device/firmware.js";
import { drawStatus, STATUS_COLORS } from "../../../src/display/status-screen.js";
import type { PanelConfig, PixelPush, RefreshStats } from "../../../src/ports.js";
import { utf8Decode } from "../../../src/util/utf8.js";
import { validConfig, TEST_PLAYER_KEY } from "../../support/device-config.js";
import { encodeGif } from "../../support/gif-encode.js";
import { ScriptedBroker, type BrokerScript } from "../../support/scripted-broker.js";
import { ScriptedHttpServer } from "../../support/scripted-http.js";
import { createVirtualHost, type VirtualHost } from "../../support/virtual-host.js";

class RecordingPanel implements PixelPush {
  config: PanelConfig | undefined;
  begins = 0;
  last = new Uint8Array(0);
  pushes = 0;
  brightness = -1;
  readonly stats: RefreshStats = { framesPushed: 0, refreshHz: 0 };
  begin(config: PanelConfig): void {
    this.config = config;
    this.begins++;
  }
  push(frame: Uint8Array): void {
    this.last = frame.slice();
    this.pushes++;
  }
}

/** What the panel shows for a status message, drawn by the status-screen renderer itself. */
function statusFrame(width: number, height: number, text: string, level: keyof typeof STATUS_COLORS): Uint8Array {
  const frame = new Uint8Array(width * height * 3);
  drawStatus(frame, width, height, text, STATUS_COLORS[level]);
  return frame;
}

function sameFrame(actual: Uint8Array, expected: Uint8Array): boolean {
  return actual.length === expected.length && actual.every((byte, i) => byte === expected[i]);
}

interface Rig {
  host: VirtualHost;
  broker: ScriptedBroker;
  panel: RecordingPanel;
  device: PlayerDevice;
  /** Request types the player published, in order. */
  requests: string[];
  /** Vault paths fetched, in order. */
  fetched: string[];
  published: (suffix: string) => string[];
}

/**
 * A device on the virtual host. `reply` answers each request (body → reply text, or undefined for
 * none); `files` is the vault, by path.
 */
function rig(config: DeviceConfig, options: { script?: BrokerScript; reply?: (body: { [key: string]: unknown }) => string | undefined; files?: { [path: string]: Uint8Array } } = {}): Rig {
  const host = createVirtualHost(5);
  const broker = new ScriptedBroker(host, options.script ?? {});
  const requests: string[] = [];
  broker.script.onPublish = (publish) => {
    const topic = publish.header.topic;
    if (!topic.includes("/request/")) return;
    const body = JSON.parse(utf8Decode(publish.payload, 0, publish.payload.length)) as { [key: string]: unknown };
    requests.push(String(body["request_type"]));
    const text = options.reply?.(body);
    if (text !== undefined) broker.publishText(`makapix/player/${TEST_PLAYER_KEY}/response/${String(body["request_id"])}`, text);
  };
  const toBroker = host.network.onConnection;
  const fetched: string[] = [];
  new ScriptedHttpServer(host, {
    respond(exchange) {
      const path = exchange.request.split(" ")[1]!;
      fetched.push(path);
      const file = options.files?.[path];
      if (!file) exchange.send("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      else {
        exchange.send(`HTTP/1.1 200 OK\r\nContent-Length: ${file.length}\r\n\r\n`);
        exchange.send(file);
      }
      exchange.close();
    },
  });
  const toVault = host.network.onConnection;
  host.network.onConnection = (connection) => (connection.options.host === "broker.test" ? toBroker(connection) : toVault(connection));
  const panel = new RecordingPanel();
  const device = createPlayerDevice(host, panel, config);
  const published = (suffix: string) =>
    broker.received.flatMap((packet) => (packet.type === 3 && packet.header.topic.endsWith(suffix) ? [utf8Decode(packet.payload, 0, packet.payload.length)] : []));
  return { host, broker, panel, device, requests, fetched, published };
}

async function stopDevice({ host, device }: Rig): Promise<void> {
  const stopping = device.stop();
  await host.timers.advance(5_000);
  await stopping;
}

test("start shows 'connecting' on the configured panel, connects with the configured credentials, and stop leaves no timer", async () => {
  const config = validConfig({ panel: { size: "64x32", colorDepth: 6, brightness: 35 } });
  const r = rig(config);
  assert.deepEqual(r.panel.config, { width: 64, height: 32, colorDepth: 6 });
  assert.equal(r.panel.brightness, 35);
  assert.equal(r.panel.pushes, 0, "nothing is drawn before start");
  assert.equal(r.device.state, "created");

  r.device.start();
  assert.equal(r.device.state, "running");
  assert.ok(sameFrame(r.panel.last, statusFrame(64, 32, "Connecting to Makapix Club", "info")), "the connecting screen");
  await r.host.timers.advance(100);
  const connection = r.host.network.connections[0]!;
  assert.equal(connection.secure, true);
  assert.deepEqual(connection.options, { secure: true, host: "broker.test", port: 8883, ca: config.credentials.ca, certificate: config.credentials.certificate, key: config.credentials.key });
  const capabilities = JSON.parse(r.published("/capabilities")[0]!) as { firmware_version: string; features: { rotation: { values: number[] } } };
  assert.equal(capabilities.firmware_version, FIRMWARE_VERSION);
  assert.deepEqual(capabilities.features.rotation.values, CAPABILITIES.rotation);
  assert.deepEqual(r.requests, ["query_posts"], "it asks for art");

  await stopDevice(r);
  assert.equal(r.device.state, "stopped");
  assert.ok(r.published("/status").some((status) => status.includes('"offline"')), "offline status before leaving");
  assert.ok(r.broker.received.some((packet) => packet.type === 14), "DISCONNECT");
  assert.equal(connection.isOpen, false);
  assert.equal(r.host.timers.pending, 0, "no timer left after stop");
  const pushes = r.panel.pushes;
  await r.host.timers.advance(120_000);
  assert.equal(r.panel.pushes, pushes, "a stopped device draws nothing more");
  assert.equal(r.host.network.connections.length, 1, "and never reconnects");
  assert.throws(() => r.device.start(), /stopped/);
});

test("a broker refusing the player shows why; a service block shows when it retries", async () => {
  const refused = rig(validConfig(), { script: { connack: { reasonCode: 0x87 } } });
  refused.device.start();
  await refused.host.timers.advance(100);
  const error = refused.device.player.client.lastError;
  assert.equal(error?.kind, "connack");
  assert.ok(sameFrame(refused.panel.last, statusFrame(64, 32, `Refused: ${error.message}`, "warning")), `"Refused: ${error.message}" on the panel`);
  await stopDevice(refused);
  assert.equal(refused.host.timers.pending, 0, "stop also ends the reconnect back-off");

  const blocked = rig(validConfig(), {
    reply: (body) => `{"request_id": "${String(body["request_id"])}", "success": false, "error": "Player blocked", "error_code": "authentication_failed"}`,
  });
  blocked.device.start();
  await blocked.host.timers.advance(100);
  assert.ok(sameFrame(blocked.panel.last, statusFrame(64, 32, "Makapix refused this player. Retrying in 60 s", "error")), "the block and its retry time");
  await blocked.host.timers.advance(30_000);
  assert.ok(sameFrame(blocked.panel.last, statusFrame(64, 32, "Makapix refused this player. Retrying in 60 s", "error")), "the block stays on screen while it lasts");
  await blocked.host.timers.advance(60_000);
  assert.ok(sameFrame(blocked.panel.last, statusFrame(64, 32, "Makapix refused this player. Retrying in 120 s", "error")), "refused again: the wait doubles");
  await stopDevice(blocked);
  assert.equal(blocked.host.timers.pending, 0);
});

/** An animated 8×8 GIF of `frames` solid frames, 100 ms each. */
function animation(frames: number): Uint8Array {
  return encodeGif({
    width: 8,
    height: 8,
    globalPalette: [255, 0, 0, 0, 0, 255],
    loop: 0,
    frames: Array.from({ length: frames }, (_, n) => ({ width: 8, height: 8, indices: new Array<number>(64).fill(n % 2), delayCs: 10 })),
  });
}

/** A channel of one animated post whose native file is WebP (its GIF rendition exists too). */
function oneWebpPost(body: { [key: string]: unknown }): string | undefined {
  if (body["request_type"] !== "query_posts") return undefined;
  const post = `{"post_id": 7, "kind": "artwork", "storage_key": "k7", "storage_shard": "ab", "native_format": "webp", "width": 8, "height": 8, "frame_count": 10, "dwell_time_ms": 30000}`;
  return `{"request_id": "${String(body["request_id"])}", "success": true, "posts": [${post}], "has_more": false}`;
}

test("the memory class decides which file is fetched and how many frames one artwork keeps", async () => {
  const files = { "/ab/k7.gif": animation(10) };
  const small = rig(validConfig({ memoryClass: "small" }), { reply: oneWebpPost, files });
  small.device.start();
  await small.host.timers.advance(2_000);
  assert.deepEqual(small.fetched, ["/ab/k7.gif"], "a small device never fetches WebP");
  assert.equal(small.device.scheduler.current?.postId, 7);
  // 24 KiB holds four 64×32 frames; thinning halves the frames kept each time the cache fills: 10 → 3.
  assert.ok(small.host.log.has("10 frames thinned to 3 to fit the frame budget"), small.host.log.lines.join("\n"));
  await stopDevice(small);
  assert.equal(small.host.timers.pending, 0, "no animation timer left");

  const large = rig(validConfig({ memoryClass: "large", panel: { size: "64x64" } }), { reply: oneWebpPost, files });
  large.device.start();
  await large.host.timers.advance(2_000);
  assert.deepEqual(large.fetched, ["/ab/k7.webp", "/ab/k7.gif"], "a large device tries the native WebP first (404 here), then the GIF");
  assert.equal(large.device.scheduler.current?.postId, 7);
  assert.ok(!large.host.log.has("thinned"), "10 frames of 64×64 fit the large budget");
  await stopDevice(large);
});

test("a bad configuration is refused before the panel is touched", () => {
  const panel = new RecordingPanel();
  const host = createVirtualHost(1);
  assert.throws(
    () => createPlayerDevice(host, panel, validConfig({ panel: { size: "128x64" } })),
    (error: unknown) => error instanceof DeviceConfigError && error.field === "panel.size",
  );
  assert.equal(panel.config, undefined);
  assert.equal(host.timers.pending, 0);
});

/** A command as the website sends it, through the scripted broker. */
function sendCommand(r: Rig, serial: number, type: string, payload: object): void {
  r.broker.publishText(`makapix/player/${TEST_PLAYER_KEY}/command`, JSON.stringify({ command_id: `c-${serial}`, command_type: type, payload, timestamp: "2026-11-25T12:00:00+00:00" }));
}

test("the website's panel changes reach the observer, and a display outlives its device with them", async () => {
  const first = rig(validConfig({ panel: { size: "64x32", brightness: 70 } }), { reply: oneWebpPost, files: { "/ab/k7.gif": animation(10) } });
  const changes: ResolvedPanelSettings[] = [];
  first.device.observe({ panelChanged: (panel) => changes.push(panel) });
  first.device.start();
  await first.host.timers.advance(2_000);
  assert.equal(first.device.scheduler.current?.postId, 7);
  sendCommand(first, 0, "set_paused", { paused: true });
  sendCommand(first, 1, "set_brightness", { value: 40 });
  sendCommand(first, 2, "set_rotation", { value: 180 });
  await first.host.timers.advance(100);
  assert.equal(first.panel.brightness, 40, "the panel dims");
  assert.deepEqual(
    changes.map((panel) => [panel.brightness, panel.rotation]),
    [
      [40, 0],
      [40, 180],
    ],
  );
  assert.deepEqual({ ...first.device.panelSettings }, { size: "64x32", width: 64, height: 32, colorDepth: 8, rotation: 180, mirror: false, brightness: 40 });
  await stopDevice(first);

  // New credentials (say): the next device draws on the same display.
  const second = createPlayerDevice(first.host, first.device.display, validConfig());
  assert.equal(first.panel.begins, 1, "the panel is set up once");
  second.start();
  assert.ok(sameFrame(first.panel.last, rotated180(statusFrame(64, 32, "Connecting to Makapix Club", "info"), 64, 32)), "its status screen is upright for the 180° mounting");
  await first.host.timers.advance(100);
  assert.equal(first.host.network.connections.filter((c) => c.options.host === "broker.test").length, 2, "a second session");
  const state = JSON.parse(first.published("/state").at(-1)!) as { brightness: number; rotation: number };
  assert.deepEqual([state.brightness, state.rotation], [40, 180], "the new session reports what the website set");
  assert.equal(first.panel.brightness, 40);
  await first.host.timers.advance(2_000);
  assert.equal(second.scheduler.current?.postId, 7);
  const pushes = first.panel.pushes;
  await first.host.timers.advance(2_000);
  assert.ok(first.panel.pushes > pushes, "the new session's animation plays: the pause ended with the old session");
  const stopping = second.stop();
  await first.host.timers.advance(5_000);
  await stopping;
  assert.equal(first.host.timers.pending, 0);

  assert.throws(
    () => createPlayerDevice(first.host, first.device.display, validConfig({ memoryClass: "large", panel: { size: "64x64" } })),
    (error: unknown) => error instanceof DeviceConfigError && error.field === "panel.size" && error.message.includes("differs from the display's 64x32"),
  );
});

function rotated180(frame: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(frame.length);
  for (let p = 0; p < width * height; p++) out.set(frame.subarray(p * 3, p * 3 + 3), (width * height - 1 - p) * 3);
  return out;
}

test("the memory class sizes the MQTT write queue: 4 KiB on small, 20 KiB on large", () => {
  const small = rig(validConfig({ memoryClass: "small" }));
  assert.equal(small.device.player.client.writeQueueCapacity, 4 * 1024);
  const large = rig(validConfig({ memoryClass: "large" }));
  assert.equal(large.device.player.client.writeQueueCapacity, 20 * 1024);
  const tuned = rig(validConfig({ memoryClass: "small", mqtt: { writeQueueBytes: 6 * 1024 } }));
  assert.equal(tuned.device.player.client.writeQueueCapacity, 6 * 1024, "a configuration's tuning wins");
});

test("the player key never reaches the log whole: a message on no subscribed topic and a refused subscription name it redacted", async () => {
  const r = rig(validConfig(), { script: { suback: (filter) => (filter.endsWith("/command") ? 0x87 : 1) } });
  r.device.start();
  await r.host.timers.advance(100);
  r.broker.publishText(`makapix/player/${TEST_PLAYER_KEY}/surprise`, "{}");
  await r.host.timers.advance(100);
  const lines = r.host.log.lines;
  const shown = `${TEST_PLAYER_KEY.slice(0, 4)}…${TEST_PLAYER_KEY.slice(-4)}`;
  assert.ok(lines.includes(`warn: mqtt: message on makapix/player/${shown}/surprise matches no subscription; ignored`), lines.join("\n"));
  assert.ok(lines.some((line) => line.includes(`refused subscription to makapix/player/${shown}/command`)), lines.join("\n"));
  assert.deepEqual(lines.filter((line) => line.includes(TEST_PLAYER_KEY)), [], "never the whole key");
  await stopDevice(r);
});
