// The long poison-message soak (issue 13; the CI version is test/e2e/mqtt-poison-soak.test.ts): a local
// Mosquitto configured like the service (mTLS, ACL) holds retained messages the player cannot hold and
// sends more live, while the player (MqttClient on the Node host) publishes QoS 1 messages. Prints one
// table and exits 1 when the session did not stay up or a message was lost or duplicated.
//   MQTT_SOAK_SECONDS=600 node build/bench/mqtt-soak.bench.js   (default 120 s; `make bench` runs it)

import { spawnSync } from "node:child_process";
import { startBroker } from "../tools/local-broker.js";
import { runPoisonSoak } from "../test/support/mqtt-poison-soak.js";

const seconds = Number(process.env.MQTT_SOAK_SECONDS ?? 120);

if (spawnSync("mosquitto", ["-h"]).error) {
  console.log("mqtt-soak: skipped (no mosquitto; make setup installs it)");
  process.exit(0);
}
const broker = await startBroker();
let failed = false;
try {
  const result = await runPoisonSoak(broker, { durationMs: seconds * 1000, publishIntervalMs: 20, poisonIntervalMs: 500 });
  const rows: [string, string | number][] = [
    ["duration", `${(result.elapsedMs / 1000).toFixed(1)} s`],
    ["QoS 1 messages published / acknowledged", `${result.published} / ${result.acknowledged}`],
    ["arrived more than once / never", `${result.duplicated} / ${result.missing}`],
    ["poison messages sent / skipped by the player", `${result.poisonSent} / ${result.discarded}`],
    ["good commands sent / received", `${result.goodCommandsSent} / ${result.goodCommandsReceived}`],
    ["reconnects", result.reconnects],
    ["session at the end", result.finalState],
  ];
  console.log(`\nMQTT poison soak against Mosquitto (mTLS + ACL), ${seconds} s`);
  for (const [name, value] of rows) console.log(`  ${name.padEnd(46)} ${value}`);
  failed =
    result.reconnects > 1 || result.finalState !== "connected" || result.missing > 0 || result.duplicated > 0 ||
    result.acknowledged !== result.published || result.discarded < result.poisonSent;
  if (failed) console.log(`mqtt-soak: FAILED\n${result.log.slice(0, 30).join("\n")}`);
} finally {
  await broker.stop();
}
process.exit(failed ? 1 : 0);
