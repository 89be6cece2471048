// Exercises every Moddable host binding in the simulator and prints one line the Node test parses:
//   MC-HOST-RESULT {"phase":"first"|"second","checks":[{"name","ok","detail"}...]}
// First run: clock, timers, random, log redaction, storage (and leaves one value behind), plain TCP
// (echo, refused port), TLS refused by a wrong CA, and an MQTT 5 session over mutual TLS through
// src/mqtt/client.ts (subscribe, QoS 1 publish, the service's reply received back).
// Second run of the same build (a "reboot"): the value left behind is read back and removed.
// (Over 400 lines: one simulator build checks every binding, because each build costs seconds.)

import config from "mc-host-config";
import { createModdableHost } from "../../../hosts/moddable/host.js";
import { ModdableSerial } from "../../../hosts/moddable/serial.js";
import { redactPrivateKeys } from "../../../hosts/moddable/redact.js";
import { NativeLzw } from "../../../hosts/moddable/native-art.js";
import { NativeJsonScanner, NativeJsonStringScanner } from "../../../hosts/moddable/native-json.js";
import { JsonTokenizer } from "../../../src/json/tokenizer.js";
import { ReplyExtractor } from "../../../src/makapix/reply-extractor.js";
import { Compositor } from "../../../src/art/compositor.js";
import { tsCompositorKernels } from "../../../src/art/compositor-kernels.js";
import { createDecoder } from "../../../src/art/decoders.js";
import { tsGifKernels } from "../../../src/art/gif-kernels.js";
import { tsWebpKernels } from "../../../src/art/webp-kernels.js";
import { tsPngKernels } from "../../../src/art/png-kernels.js";
import { tsBmpKernels } from "../../../src/art/bmp-kernels.js";
import { panelGeometry } from "../../../src/display/geometry.js";
import type { ArtKernels, JsonKernels, WebpKernels } from "../../../src/ports.js";
import { MqttClient } from "../../../src/mqtt/client.js";
import type { MessageHandler } from "../../../src/mqtt/subscriptions.js";
import type { Socket, TimerId } from "../../../src/ports.js";
import { utf8Decode, utf8Encode } from "../../../src/util/utf8.js";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const PERSIST_KEY = "persist";
const TEXT_SAMPLE = "h\u00e9llo \u2713 \u{1F44B}";

const host = createModdableHost({
  logLevel: "debug",
  clockSynchronized: true,
  storageNamespace: config.storageNamespace,
  dnsServers: config.dnsServer ? [config.dnsServer] : ["127.0.0.1"],
  ...(config.serialDevice ? { serial: new ModdableSerial({ device: config.serialDevice, baud: 115200 }) } : {}),
});
const checks: Check[] = [];
let pending = 0;
let finished = false;

function check(name: string, ok: boolean, detail = ""): void {
  checks.push({ name, ok, detail });
}

function finish(phase: string): void {
  if (finished) return;
  finished = true;
  // On a line of its own: the SDK traces some messages without a newline.
  trace(`\nMC-HOST-RESULT ${JSON.stringify({ phase, checks })}\n`);
}

/** Counts asynchronous checks; the result line goes out when all are done (or at the deadline). */
function started(): () => void {
  pending++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--pending === 0) finish("first");
  };
}

function secondRun(token: string): void {
  check("storage: the value written before the restart is read back", token.startsWith("token-"), token);
  host.storage.delete(PERSIST_KEY);
  check("storage: delete removes it", host.storage.read(PERSIST_KEY) === undefined);
  finish("second");
}

function syncChecks(): void {
  const wall = host.clock.wallTimeMs();
  check("clock: wall time once synchronised", wall !== undefined && Math.abs(wall - Date.now()) < 1000, String(wall));
  const a = host.clock.monotonicMs();
  const b = host.clock.monotonicMs();
  check("clock: monotonic does not go back", b >= a, `${a} ${b}`);

  const bytes = new Uint8Array(64);
  host.random.fill(bytes);
  let distinct = 0;
  const seen = new Uint8Array(256);
  for (const byte of bytes) if (!seen[byte]++) distinct++;
  check("random: 64 bytes with at least 30 distinct values", distinct >= 30, String(distinct));

  const redacted = redactPrivateKeys(`key=${config.key} end`);
  check("log: a private key block is redacted", redacted.indexOf("PRIVATE KEY") < 0 && redacted.startsWith("key=") && redacted.endsWith(" end"), redacted.slice(0, 60));
  host.log.write("info", `a line with a key in it: ${config.key}`);

  const storage = host.storage;
  storage.write("text", TEXT_SAMPLE);
  check("storage: text round trip (UTF-8, astral)", storage.readText("text") === TEXT_SAMPLE, String(storage.readText("text")));
  const blob = new Uint8Array([0, 1, 2, 254, 255]);
  storage.write("blob", blob.subarray(1));
  const back = storage.read("blob");
  check("storage: bytes round trip (a view)", back !== undefined && back.join(",") === "1,2,254,255", String(back));
  storage.write("empty", "");
  check("storage: empty value is not missing", storage.readText("empty") === "" && storage.read("nothing") === undefined);
  storage.write("pem", config.certificate);
  check("storage: a PEM certificate fits", storage.readText("pem") === config.certificate);
  let refused = "";
  try {
    storage.write("a-key-that-is-too-long", "x");
  } catch (error) {
    refused = (error as Error).message;
  }
  check("storage: a 22-character key is refused", refused.indexOf("1–15") >= 0, refused);
  try {
    storage.write("big", new Uint8Array(5000));
    refused = "";
  } catch (error) {
    refused = (error as Error).message;
  }
  check("storage: a 5000-byte value is refused", refused.indexOf("5000") >= 0, refused);
  for (const key of ["text", "blob", "empty", "pem"]) storage.delete(key);
  storage.write(PERSIST_KEY, `token-${config.playerKey}`);
  check("storage: keys lists what is stored", storage.keys().join(",") === PERSIST_KEY, storage.keys().join(","));
}

/** Panel frames (FNV-1a of every byte) and the error of one file through decoder and compositor. */
function decodeArt(bytes: Uint8Array, format: "gif" | "webp" | "bmp", kernels: ArtKernels): string {
  let hash = 0x811c9dc5;
  let frames = 0;
  const compositor = new Compositor({
    geometry: panelGeometry("64x64", 90),
    background: 0x203040,
    onFrame(panel) {
      frames++;
      for (let i = 0; i < panel.length; i++) hash = Math.imul(hash ^ panel[i]!, 0x01000193) >>> 0;
    },
    ...(kernels.compositor ? { kernels: kernels.compositor } : {}),
  });
  let error = "none";
  try {
    const decoder = createDecoder(format, compositor, { kernels });
    for (let at = 0; at < bytes.length; at += 512) decoder.push(bytes.subarray(at, at + 512));
    decoder.finish();
  } catch (thrown) {
    error = `${(thrown as Error).name}: ${(thrown as Error).message}`;
  }
  return `${frames} frames ${hash.toString(16)}, ${error}`;
}

/** The host's WebP kernels with the calls of their entropy-decoding members (C) counted. */
function countingWebp(webp: WebpKernels, counts: Record<string, number>): WebpKernels {
  const count = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
  return {
    argbRow: (...args) => webp.argbRow(...args),
    paletteRow: (...args) => webp.paletteRow(...args),
    yuvRowPair: (...args) => webp.yuvRowPair(...args),
    filterRow: (...args) => webp.filterRow(...args),
    reconstruct: (...args) => webp.reconstruct(...args),
    modes: (...args) => (count("modes"), webp.modes!(...args)),
    residuals: (...args) => (count("residuals"), webp.residuals!(...args)),
    losslessPixels: (...args) => (count("losslessPixels"), webp.losslessPixels!(...args)),
    losslessTransform: (...args) => (count("losslessTransform"), webp.losslessTransform!(...args)),
  };
}

/** The host's native art kernels (hosts/moddable/native, C) give the TypeScript kernels' frames and errors. */
function artChecks(): void {
  const kernels = host.artKernels;
  const gif = kernels?.gif;
  check("art kernels: the host carries the native GIF and compositor kernels", gif !== undefined && gif !== tsGifKernels && gif.createLzw() instanceof NativeLzw && kernels?.compositor !== undefined && kernels.compositor !== tsCompositorKernels);
  check("art kernels: the host carries the native WebP kernels", kernels?.webp !== undefined && kernels.webp !== tsWebpKernels);
  const webp = kernels?.webp;
  check(
    "art kernels: the host's WebP kernels decode VP8 modes and tokens and VP8L pixels and transforms in C",
    webp !== undefined && typeof webp.modes === "function" && typeof webp.residuals === "function" && typeof webp.losslessPixels === "function" && typeof webp.losslessTransform === "function",
  );
  if (!kernels) return;
  const counts: Record<string, number> = {};
  for (const file of config.artFiles) {
    const bytes = Uint8Array.from(file.bytes);
    // mc/config's JSON types the format as a plain string in the SDK's build.
    const format = file.format === "webp" ? "webp" : "gif";
    const native = decodeArt(bytes, format, webp && format === "webp" ? { ...kernels, webp: countingWebp(webp, counts) } : kernels);
    const typescript = decodeArt(bytes, format, { gif: tsGifKernels, compositor: tsCompositorKernels, webp: tsWebpKernels });
    const expected = file.corrupt ? native.includes("ImageDecodeError: corrupt: LZW") : native.endsWith(", none") && !native.startsWith("0 frames");
    check(`art kernels: ${file.name}: native frames and error as TypeScript's`, native === typescript && expected, `native ${native}; TypeScript ${typescript}`);
  }
  // The lossy-with-alpha file takes every entropy kernel: modes and tokens, then the alpha's VP8L stream.
  check("art kernels: the WebP files went through the C modes, tokens, VP8L pixels and transforms", (counts["modes"] ?? 0) > 0 && (counts["residuals"] ?? 0) > 0 && (counts["losslessPixels"] ?? 0) > 0 && (counts["losslessTransform"] ?? 0) > 0, JSON.stringify(counts));
}

// ---- PNG: the host's C kernels (png_kernels.c) and the SDK's miniz inflate, against the TypeScript path.

/** Panel frames (FNV-1a of every byte) and the error of one PNG with the given kernels and inflater. */
function decodePng(bytes: Uint8Array, kernels: ArtKernels, inflate: typeof host.inflate): string {
  let hash = 0x811c9dc5;
  let frames = 0;
  const compositor = new Compositor({
    geometry: panelGeometry("64x64", 90),
    background: 0x203040,
    onFrame(panel) {
      frames++;
      for (let i = 0; i < panel.length; i++) hash = Math.imul(hash ^ panel[i]!, 0x01000193) >>> 0;
    },
    ...(kernels.compositor ? { kernels: kernels.compositor } : {}),
  });
  let error = "none";
  try {
    const decoder = createDecoder("png", compositor, { kernels, inflate });
    for (let at = 0; at < bytes.length; at += 512) decoder.push(bytes.subarray(at, at + 512));
    decoder.finish();
  } catch (thrown) {
    error = `${(thrown as Error).name}: ${(thrown as Error).message}`;
  }
  return `${frames} frames ${hash.toString(16)}, ${error}`;
}

/** The host's PNG path (native filters and CRC, miniz) gives the TypeScript path's frames and errors. */
function pngChecks(): void {
  const kernels = host.artKernels;
  check("png kernels: the host carries the native PNG kernels and inflater", kernels?.png !== undefined && kernels.png !== tsPngKernels && host.inflate !== undefined);
  if (!kernels) return;
  for (const file of config.pngFiles) {
    const bytes = Uint8Array.from(file.bytes);
    const native = decodePng(bytes, kernels, host.inflate);
    const typescript = decodePng(bytes, { png: tsPngKernels, compositor: tsCompositorKernels }, undefined);
    const expected = file.corrupt ? native.includes("ImageDecodeError: corrupt: unknown filter type") : native.endsWith(", none") && !native.startsWith("0 frames");
    check(`png kernels: ${file.name}: native frames and error as TypeScript's`, native === typescript && expected, `native ${native}; TypeScript ${typescript}`);
  }
}

// ---- BMP: the host's C row kernels (bmp_kernels.c), against the TypeScript kernels.

/** The host's BMP row kernels give the TypeScript kernels' frames and errors (decodeArt's panel hash). */
function bmpChecks(): void {
  const kernels = host.artKernels;
  check("bmp kernels: the host carries the native BMP kernels", kernels?.bmp !== undefined && kernels.bmp !== tsBmpKernels);
  if (!kernels) return;
  for (const file of config.bmpFiles) {
    const bytes = Uint8Array.from(file.bytes);
    const native = decodeArt(bytes, "bmp", kernels);
    const typescript = decodeArt(bytes, "bmp", { bmp: tsBmpKernels, compositor: tsCompositorKernels });
    const expected = file.corrupt ? native.includes("ImageDecodeError: corrupt: palette index 7 beyond 6 colours") : native.endsWith(", none") && !native.startsWith("0 frames");
    check(`bmp kernels: ${file.name}: native frames and error as TypeScript's`, native === typescript && expected, `native ${native}; TypeScript ${typescript}`);
  }
}

/** One reply through ReplyExtractor with the given kernels: its posts and summary, or its error. */
function extractReply(bytes: Uint8Array, kernels: JsonKernels | undefined): string {
  const seen: string[] = [];
  try {
    const extractor = new ReplyExtractor({ post: (post) => seen.push(JSON.stringify(post)), rejected: (error) => seen.push(error.message) }, kernels ? { kernels } : {});
    for (let at = 0; at < bytes.length; at += 7) extractor.push(bytes.subarray(at, at + 7));
    seen.push(JSON.stringify(extractor.finish()));
  } catch (thrown) {
    seen.push(`${(thrown as Error).name}: ${(thrown as Error).message}`);
  }
  return seen.join("; ");
}

/** The host's native JSON kernels (hosts/moddable/native, C) extract replies as the TypeScript path, bad bytes too. */
function jsonChecks(): void {
  const kernels = host.jsonKernels;
  let scanner: unknown;
  let loop: unknown;
  const ignore = { beginObject() {}, endObject() {}, beginArray() {}, endArray() {}, key() {}, string() {}, number() {}, boolean() {}, null() {} };
  if (kernels) new JsonTokenizer(ignore, { kernels: { createStringScanner: (text) => (scanner = kernels.createStringScanner(text)), findName: kernels.findName } });
  check("json kernels: the host carries the native string scanner", scanner instanceof NativeJsonStringScanner);
  if (kernels?.createScanner) new JsonTokenizer(ignore, { kernels: { createStringScanner: (text) => kernels.createStringScanner(text), findName: kernels.findName, createScanner: (text, options) => (loop = kernels.createScanner!(text, options)) } });
  check("json kernels: the host carries the native tokenizer loop", loop instanceof NativeJsonScanner);
  if (!kernels) return;
  // The post's unknown keys (title, reactions, score) are skipped inside the C loop.
  const text =
    '{"request_id": "r1", "success": true, "posts": [{"post_id": 7, "kind": "artwork", "storage_key": "k\\u00e9y \u00e9", "title": "caf\u00e9 \ud83d\udc31", "reactions": {"\u2764": 3, "nested": [1, {"deeper": null}]}, "score": -1.5e3, "width": 64, "height": 64, "frame_count": 12, "alpha_actual": false, "art_url": "https://x/a.gif"}], "has_more": false}';
  const reply = utf8Encode(text);
  const bad = reply.slice();
  bad[bad.indexOf(0x74) + 2] = 0xff; // a byte that is not UTF-8 inside a string
  const badSkipped = reply.slice();
  badSkipped[utf8Encode(text.slice(0, text.indexOf('"caf'))).length + 2] = 0xff; // the same inside the skipped title
  for (const [name, bytes] of [["a query_posts reply", reply], ["a reply with a bad UTF-8 byte", bad], ["a bad UTF-8 byte in a skipped value", badSkipped]] as const) {
    const native = extractReply(bytes, kernels);
    const typescript = extractReply(bytes, undefined);
    check(`json kernels: ${name}: native records and error as TypeScript's`, native === typescript && native.length > 20, `native ${native}; TypeScript ${typescript}`);
  }
}

function timerChecks(): void {
  const done = started();
  const t0 = host.clock.monotonicMs();
  host.timers.set(() => {
    const elapsed = host.clock.monotonicMs() - t0;
    check("timers: set(100) fires after ≥ 95 ms by the monotonic clock", elapsed >= 95 && elapsed < 2000, String(elapsed));
    done();
  }, 100);
  const repeatDone = started();
  let ticks = 0;
  const id = host.timers.repeat(() => {
    if (++ticks === 3) {
      host.timers.clear(id);
      host.timers.set(() => {
        check("timers: repeat fires until cleared", ticks === 3, String(ticks));
        repeatDone();
      }, 100);
    }
  }, 20);
  const cleared = host.timers.set(() => check("timers: a cleared timer never fires", false), 30);
  host.timers.clear(cleared);
}

function tcpChecks(): void {
  const echoDone = started();
  const message = utf8Encode("ping \u{1F44B} over plain TCP");
  const received = new Uint8Array(64);
  let got = 0;
  let sent = false;
  const socket: Socket = host.network.connectTcp(
    { host: "localhost", port: config.echoPort },
    {
      onWritable: (count) => {
        if (sent) return;
        sent = true;
        check("tcp: onWritable(count) on connect", count >= message.length, String(count));
        socket.write(message);
      },
      onReadable: () => {
        // Read in 5-byte pieces: the binding must never ask the SDK for more than is waiting.
        for (;;) {
          const n = socket.read(received.subarray(got, Math.min(got + 5, received.length)));
          if (n === 0) break;
          got += n;
        }
        if (got >= message.length) {
          check("tcp: echo comes back intact", utf8Decode(received, 0, got) === utf8Decode(message, 0, message.length), String(got));
          socket.close();
          echoDone();
        }
      },
      onError: (reason) => {
        check("tcp: echo", false, reason);
        echoDone();
      },
    },
  );

  const refusedDone = started();
  host.network.connectTcp(
    { host: "127.0.0.1", port: config.closedPort },
    {
      onWritable: () => undefined,
      onReadable: () => undefined,
      onError: (reason, cause) => {
        check("tcp: a refused connection is reported through onError", cause === "network", `${cause}: ${reason}`);
        refusedDone();
      },
    },
  );
}

function dnsChecks(): void {
  if (!config.dnsServer) return;
  const resolvedDone = started();
  const socket: Socket = host.network.connectTcp(
    { host: config.dnsName, port: config.echoPort },
    {
      onWritable: () => {
        check("dns: a name resolved through the SDK resolver connects", true);
        socket.close();
        resolvedDone();
      },
      onReadable: () => undefined,
      onError: (reason) => {
        check("dns: a name resolved through the SDK resolver connects", false, reason);
        resolvedDone();
      },
    },
  );
  const unknownDone = started();
  host.network.connectTls(
    { host: `no-such-${config.dnsName}`, port: config.brokerPort, ca: config.ca },
    {
      onWritable: () => undefined,
      onReadable: () => undefined,
      onError: (reason, cause) => {
        check("dns: an unknown name is an onError", cause === "dns" && reason === `cannot resolve no-such-${config.dnsName}`, `${cause}: ${reason}`);
        unknownDone();
      },
    },
  );
}

function serialCheck(): void {
  const serial = host.serial;
  if (!serial) return;
  const done = started();
  const sent = utf8Encode("provision me \u2713");
  const received = new Uint8Array(64);
  let got = 0;
  const line: Socket = serial.open({
    onWritable: () => undefined,
    onReadable: () => {
      for (;;) {
        const n = line.read(received.subarray(got));
        if (n === 0) break;
        got += n;
      }
      if (got >= sent.length) {
        const text = utf8Decode(received, 0, got);
        check("serial: bytes out, the PC's answer back in", text === "PROVISION ME \u2713", text);
        line.close();
        done();
      }
    },
    onError: (reason) => {
      check("serial: bytes out, the PC's answer back in", false, reason);
      done();
    },
  });
  line.write(sent);
}

function wrongCaCheck(): void {
  const done = started();
  let writable = false;
  host.network.connectTls(
    { host: "localhost", port: config.brokerPort, ca: config.wrongCa, certificate: config.certificate, key: config.key },
    {
      onWritable: () => {
        writable = true;
      },
      onReadable: () => undefined,
      onError: (reason, cause) => {
        check("tls: a broker our CA did not sign is refused through onError, as a TLS failure", !writable && cause === "tls", `${cause}: ${reason}`);
        done();
      },
    },
  );
  const noCertDone = started();
  host.network.connectTls(
    { host: "localhost", port: config.brokerPort, ca: config.ca },
    {
      onWritable: () => undefined,
      onReadable: () => undefined,
      onError: (reason, cause) => {
        check("tls: without a client certificate the broker refuses us, reported as a TLS failure", cause === "tls", `${cause}: ${reason}`);
        noCertDone();
      },
    },
  );
  const badPemDone = started();
  host.network.connectTls(
    { host: "localhost", port: config.brokerPort, ca: "not a PEM" },
    {
      onWritable: () => undefined,
      onReadable: () => undefined,
      onError: (reason, cause) => {
        check("tls: an unreadable CA PEM is reported through onError", cause === "tls" && reason.startsWith("bad PEM"), `${cause}: ${reason}`);
        badPemDone();
      },
    },
  );
}

/**
 * A corrupted TLS record right after a good one (the proxy doubles the broker's first application
 * record, CONNACK): the TLS stack decrypts the second one after the reader drained the first, which the
 * SDK does from its own timer, outside any callback of ours. It must come back as onError.
 */
function corruptRecordCheck(): void {
  const done = started();
  const key = config.playerKey;
  const client = new MqttClient(host, {
    transport: { secure: true, host: "localhost", port: config.corruptPort, ca: config.ca, certificate: config.certificate, key: config.key },
    clientId: `${key}-corrupt`,
    username: key,
    password: new Uint8Array(0),
    backoff: { initialMs: 60_000, maximumMs: 60_000 },
  });
  client.observe({
    stateChanged: (state, error) => {
      if (state !== "reconnecting" || !error) return;
      check("tls: a corrupted record after a good one is an onError, not an abort", error.kind === "tls", `${error.kind}: ${error.message}`);
      client.stop();
      done();
    },
  });
  client.start();
}

function mqttCheck(): void {
  const done = started();
  const key = config.playerKey;
  const client = new MqttClient(host, {
    transport: { secure: true, host: "localhost", port: config.brokerPort, ca: config.ca, certificate: config.certificate, key: config.key },
    clientId: key,
    username: key,
    password: new Uint8Array(0),
    backoff: { initialMs: 500, maximumMs: 2000 },
  });
  const requestId = `r${host.clock.monotonicMs() | 0}`;
  // ~6 KB: more than one TCP turn in the simulator (1536 bytes), so the TLS record goes out in pieces
  // and the reply arrives in several reads.
  const payload = `{"request_id":"${requestId}","request_type":"echo","player_key":"${key}","echo_data":"\u{1F44B} from XS","filler":"${"x".repeat(6000)}"}`;
  const connectStarted = host.clock.monotonicMs();
  let text = "";
  const chunks: number[] = [];
  const responses: MessageHandler = {
    begin: (topic) => {
      text = topic;
      chunks.length = 0;
    },
    data: (chunk) => {
      for (const byte of chunk) chunks.push(byte);
    },
    end: () => {
      const body = utf8Decode(new Uint8Array(chunks), 0, chunks.length);
      if (text.startsWith(`makapix/player/${key}/response/${requestId}-burst/`)) {
        burstReceived++;
        if (burstReceived === BURST) finishBurst();
        return;
      }
      check("mqtt: the service's QoS 1 reply arrives on response/<id>", text === `makapix/player/${key}/response/${requestId}` && body === payload, `${text} ${body.length} bytes: ${body.slice(0, 120)}`);
      // Then several small messages sent back to back (see burst).
      host.timers.set(burst, 0);
    },
    abort: (reason) => check("mqtt: reply aborted", false, reason),
  };
  client.subscribe(`makapix/player/${key}/response/#`, responses).then(
    (qos) => check("mqtt: subscribed to response/# (QoS 1 granted)", qos === 1, String(qos)),
    (error: unknown) => check("mqtt: subscribe", false, String(error)),
  );
  // The service answers a "-burst" request with BURST small QoS 0 messages written back to back: they
  // reach the device as several TLS records in one TCP read. Nothing else comes from the broker for
  // a while (keep-alive 60 s), so each must be delivered from what the TLS socket already holds.
  const BURST = 5;
  let burstReceived = 0;
  let burstAskedAt = 0;
  let burstTimer: TimerId | undefined;
  let burstChecked = false;
  const finishBurst = (): void => {
    if (burstChecked) return;
    burstChecked = true;
    if (burstTimer !== undefined) host.timers.clear(burstTimer);
    const elapsed = host.clock.monotonicMs() - burstAskedAt;
    check("mqtt: messages sent back to back (TLS records read together) all arrive without further traffic", burstReceived === BURST && elapsed < 3_000, `${burstReceived} of ${BURST} in ${elapsed} ms`);
    // Stopped from a timer: stopping inside `end` would abort the message being delivered.
    host.timers.set(() => {
      client.stop();
      done();
    }, 0);
  };
  const burst = (): void => {
    burstAskedAt = host.clock.monotonicMs();
    burstTimer = host.timers.set(() => {
      burstTimer = undefined;
      finishBurst();
    }, 3_000);
    client.publish(`makapix/player/${key}/request/${requestId}-burst`, `{"request_id":"${requestId}-burst"}`).catch((error: unknown) => check("mqtt: burst request", false, String(error)));
  };
  let published = false;
  client.observe({
    stateChanged: (state, error) => {
      if (error && state === "reconnecting") host.log.write("warn", `mqtt attempt failed: ${error.kind}: ${error.message}`);
    },
    ready: () => {
      if (published) return;
      published = true;
      check("mqtt: connected over mutual TLS", client.state === "connected", `${client.state} after ${host.clock.monotonicMs() - connectStarted} ms`);
      client.publish(`makapix/player/${key}/request/${requestId}`, payload).then(
        (result) => check("mqtt: QoS 1 publish acknowledged", result.reasonCode < 0x80, String(result.reasonCode)),
        (error: unknown) => check("mqtt: QoS 1 publish", false, String(error)),
      );
    },
  });
  client.start();
}

const previous = host.storage.readText(PERSIST_KEY);
if (previous !== undefined) {
  secondRun(previous);
} else {
  const all = started();
  syncChecks();
  artChecks();
  pngChecks();
  bmpChecks();
  jsonChecks();
  timerChecks();
  tcpChecks();
  dnsChecks();
  serialCheck();
  wrongCaCheck();
  mqttCheck();
  corruptRecordCheck();
  all();
  host.timers.set(() => {
    check("finished before the app's deadline", false, `${pending} checks still pending`);
    finish("first");
  }, 40_000);
}
