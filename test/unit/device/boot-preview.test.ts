// Art before registration through the boot machine on the virtual host: the real promoted feed client,
// scheduler and artwork pipeline against a scripted API, while a scripted registration shows its code.
// What the owner notices: the promoted feed is fetched over HTTPS and its art requested while the
// device is unregistered, the code still takes the panel each minute, and nothing runs once registered.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BootMachine } from "../../../src/device/boot.js";
import { FeedPreview } from "../../../src/device/boot-preview.js";
import { drawStatus, STATUS_COLORS } from "../../../src/display/status-screen.js";
import { ScriptedApi, type ApiAnswer } from "../../support/scripted-api.js";
import { createVirtualHost } from "../../support/virtual-host.js";
import { MemorySettings, ScriptedRegistration } from "../../support/virtual-lifecycle.js";
import { CA_CERT_PEM, PLAYER_CERT_PEM } from "../../support/x509-fixtures.js";
import { TestPanel } from "../../support/test-panel.js";

const KEY = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";
const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";


const webPost = (id: number) => ({
  id,
  storage_key: `00000000-0000-4000-8000-${String(id).padStart(12, "0")}`,
  public_sqid: `s${id}`,
  kind: "artwork",
  title: `Art ${id}`,
  art_url: `/api/vault/a1/b2/${id}.gif`,
  width: 64,
  height: 32,
  file_bytes: 1234,
  frame_count: 1,
  dwell_time_ms: 30000,
  promoted: true,
});

test("unregistered: the promoted feed plays over HTTPS between the code screens, and stops once registered", async () => {
  const host = createVirtualHost(9);
  const api = new ScriptedApi(host, (call): ApiAnswer => {
    if (call.path.startsWith("/api/feed/promoted")) return { status: 200, json: { items: [webPost(1), webPost(2)], next_cursor: null } };
    return { status: 404, json: { detail: "no such art" } };
  });
  const registration = new ScriptedRegistration();
  const preview = new FeedPreview(host, { feed: { apiBase: "https://api.test/api", ca: "TEST CA" }, memoryClass: "small", vault: { url: "https://vault.test" } });
  const settings = new MemorySettings({ panel: { size: "64x32" }, memoryClass: "small", broker: { host: "broker.test", port: 8883 }, vault: { url: "https://vault.test" } });
  const panel = new TestPanel();
  const machine = new BootMachine(host, { settings, registration, preview, panel });
  machine.start();
  assert.equal(machine.state, "registration");
  registration.code("AB3CD9", host.clock.wallTimeMs()! + 15 * 60_000);
  const expected = new Uint8Array(64 * 32 * 3);
  // "Code AB3CD9" / "api.test" / "15min left" (no-break spaces: the lines the panel breaks into).
  drawStatus(expected, 64, 32, "Code\u00a0AB3CD9 api.test 15min\u00a0left", STATUS_COLORS.info);
  assert.deepEqual(panel.last, expected, "the code screen names the API's host, where this service takes the code");
  await host.timers.advance(19_000);
  assert.equal(preview.playing, false, "the code has the panel first");
  assert.equal(api.calls.length, 0);
  await host.timers.advance(5_000);
  assert.equal(preview.playing, true);
  assert.ok(api.callsTo("/api/feed/promoted?limit=20").length >= 1, "the promoted feed, over the API");
  assert.ok(api.callsTo("/api/vault/a1/b2/").length >= 1, "its art is requested");
  await host.timers.advance(40_000);
  assert.equal(preview.playing, false, "the code is back on the panel once a minute");

  registration.registered({ playerKey: KEY, ca: CA_CERT_PEM, certificate: PLAYER_CERT_PEM, key: KEY_PEM });
  assert.equal(preview.playing, false);
  const calls = api.calls.length;
  await host.timers.advance(120_000);
  assert.equal(api.calls.length, calls, "no preview traffic once registered");
  const stopping = machine.stop();
  await host.timers.advance(10_000);
  await stopping;
  assert.equal(host.timers.pending, 0);
});
