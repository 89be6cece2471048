// The assembled device keeps its view journal in the host's storage: a view journaled before a reboot
// is sent by the next device with its original timestamp, and leaves storage once acknowledged.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createPlayerDevice } from "../../../src/device/device.js";
import { ViewJournal } from "../../../src/makapix/view-journal.js";
import type { PanelConfig, PixelPush, RefreshStats } from "../../../src/ports.js";
import { utf8Decode } from "../../../src/util/utf8.js";
import { TEST_PLAYER_KEY, validConfig } from "../../support/device-config.js";
import { MemoryStorage } from "../../support/memory-storage.js";
import { ScriptedBroker } from "../../support/scripted-broker.js";
import { createVirtualHost } from "../../support/virtual-host.js";

class NullPanel implements PixelPush {
  brightness = 0;
  readonly stats: RefreshStats = { framesPushed: 0, refreshHz: 0 };
  begin(_config: PanelConfig): void {}
  push(_frame: Uint8Array): void {}
}

test("a view journaled before a reboot is sent by the next device and removed on its ack", async () => {
  const host = createVirtualHost(3);
  const storage = new MemoryStorage();
  host.storage = storage;
  const before = new ViewJournal(storage, host.log);
  before.load();
  before.append(4242, "2026-11-25T11:59:00Z", { intent: "artwork", playOrder: 0, channel: "all" });
  const broker = new ScriptedBroker(host);
  const views: { [key: string]: unknown }[] = [];
  broker.script.onPublish = (publish) => {
    if (!publish.header.topic.endsWith("/view")) return;
    views.push(JSON.parse(utf8Decode(publish.payload, 0, publish.payload.length)) as { [key: string]: unknown });
    host.timers.set(() => broker.publishText(`makapix/player/${TEST_PLAYER_KEY}/view/ack`, '{"success":true}'), 20);
  };
  const device = createPlayerDevice(host, new NullPanel(), validConfig());
  device.start();
  await host.timers.advance(2_000);
  assert.equal(views.length, 1);
  assert.equal(views[0]!["post_id"], 4242);
  assert.equal(views[0]!["timestamp"], "2026-11-25T11:59:00Z");
  assert.equal(views[0]!["request_ack"], true);
  assert.deepEqual(storage.keys().filter((key) => key.startsWith("vj.")), []);
  const stopping = device.stop();
  await host.timers.advance(5_000);
  await stopping;
});
