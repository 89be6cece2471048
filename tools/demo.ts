// The virtual device demo, first milestone: start a local Mosquitto configured like the Makapix
// service (mTLS, ACL), connect the firmware's MQTT session on the Node host, and print what happens.
// Ctrl-C publishes "offline", disconnects, and stops the broker it started.
//
//   node build/tools/demo.js                       local broker with fresh dev certificates
//   node build/tools/demo.js --broker HOST:PORT --ca ca.pem --cert cert.pem --key key.pem
//                                                  a real broker with real credentials (player key = certificate CN)

import { readFileSync } from "node:fs";
import { randomUUID, X509Certificate } from "node:crypto";
import mqtt from "mqtt";
import { MqttClient } from "../src/mqtt/client.js";
import type { MessageHandler } from "../src/mqtt/subscriptions.js";
import { utf8Encode } from "../src/util/utf8.js";
import { createNodeHost, NodeLog } from "../hosts/node/host.js";
import { SERVICE_USER, startBroker, type TestBroker } from "./local-broker.js";

interface Target {
  host: string;
  port: number;
  ca: string;
  certificate: string;
  key: string;
  playerKey: string;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

function realBrokerTarget(address: string): Target {
  const [host, port] = address.split(":");
  const paths = { ca: argument("ca"), cert: argument("cert"), key: argument("key") };
  if (!host || !port || !paths.ca || !paths.cert || !paths.key) {
    throw new Error("--broker HOST:PORT needs --ca, --cert and --key (PEM files)");
  }
  const certificate = readFileSync(paths.cert, "utf8");
  const playerKey = /CN=([0-9a-f-]{36})/.exec(new X509Certificate(certificate).subject)?.[1];
  if (!playerKey) throw new Error("the certificate's CN is not a player key");
  return { host, port: Number(port), ca: readFileSync(paths.ca, "utf8"), certificate, key: readFileSync(paths.key, "utf8"), playerKey };
}

/** "0b7e6c1a-…-4a5b" → "0b7e…4a5b": the key is a secret (it fetches the certificate's private key). */
function redact(key: string): string {
  return `${key.slice(0, 4)}…${key.slice(-4)}`;
}

function printer(label: string): MessageHandler {
  let text = "";
  let topic = "";
  return {
    begin: (t) => {
      topic = t;
      text = "";
    },
    data: (chunk) => {
      if (text.length < 2000) text += Buffer.from(chunk).toString("utf8");
    },
    end: () => console.log(`[device] ${label} on ${topic.replace(/player\/[^/]+/, "player/{key}")}: ${text}`),
    abort: (reason) => console.log(`[device] ${label} aborted: ${reason}`),
  };
}

async function main(): Promise<void> {
  let broker: TestBroker | undefined;
  let service: mqtt.MqttClient | undefined;
  let target: Target;
  const address = argument("broker");
  if (address) {
    target = realBrokerTarget(address);
  } else {
    console.log("[demo] starting Mosquitto with a fresh dev CA (mTLS listener + service listener)…");
    broker = await startBroker();
    const playerKey = randomUUID();
    target = { host: "localhost", port: broker.playerPort, ...broker.issuePlayer(playerKey), playerKey };
    console.log(`[demo] broker pid ${broker.pid}: players on localhost:${broker.playerPort} (mTLS), service on 127.0.0.1:${broker.servicePort}`);
    service = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.servicePort}`, {
      protocolVersion: 5,
      username: SERVICE_USER,
      password: broker.servicePassword,
    });
    await service.subscribeAsync("makapix/player/+/status", { qos: 1 });
    service.on("message", (topic, payload) => console.log(`[service] ${topic.replace(/player\/[^/]+/, "player/{key}")}: ${payload.toString()}`));
  }

  const key = target.playerKey;
  const base = `makapix/player/${key}`;
  const host = createNodeHost(new NodeLog("info", (line) => console.log(`[device] ${line}`)));
  const client = new MqttClient(host, {
    transport: { secure: true, host: target.host, port: target.port, ca: target.ca, certificate: target.certificate, key: target.key },
    clientId: key,
    username: key,
    password: new Uint8Array(0),
    will: { topic: `${base}/status`, payload: utf8Encode(JSON.stringify({ player_key: key, status: "offline" })), qos: 1, retain: false },
  });
  console.log(`[demo] virtual device, player key ${redact(key)}, connecting to ${target.host}:${target.port}`);

  let heartbeat: NodeJS.Timeout | undefined;
  const online = JSON.stringify({ player_key: key, status: "online", firmware_version: "0.1.0" });
  client.observe({
    stateChanged: (state, error) => {
      const broker = client.broker;
      const limits = broker
        ? ` (broker: receive max ${broker.receiveMaximum}, max packet ${broker.maximumPacketSize}, topic aliases ${broker.topicAliasMaximum}, keep-alive ${broker.keepAliveSeconds} s)`
        : "";
      console.log(`[device] session ${state}${error ? ` — last error ${error.kind}: ${error.message}` : ""}${limits}`);
    },
    ready: () => {
      client.publish(`${base}/status`, online).then(
        (result) => console.log(`[device] online status acknowledged (reason 0x${result.reasonCode.toString(16)})`),
        (error: Error) => console.log(`[device] online status failed: ${error.message}`),
      );
      clearInterval(heartbeat);
      heartbeat = setInterval(() => void client.publish(`${base}/status`, online).catch(() => undefined), 60_000);
      void service?.publishAsync(`${base}/command`, JSON.stringify({ command_id: randomUUID(), command_type: "swap_next", payload: {} }), { qos: 1 });
    },
  });
  void client.subscribe(`${base}/command`, printer("command"));
  void client.subscribe(`${base}/response/#`, printer("response"));
  client.start();

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log("\n[demo] stopping: offline status, DISCONNECT, broker");
    clearInterval(heartbeat);
    const offline = JSON.stringify({ player_key: key, status: "offline" });
    const done = client.state === "connected" ? client.publish(`${base}/status`, offline).catch(() => undefined) : Promise.resolve();
    void done.then(async () => {
      client.stop();
      await service?.endAsync();
      await broker?.stop();
      process.exit(0);
    });
  };
  // Ctrl-C, a closed terminal or a service manager's stop all end the same way: nothing left running.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, shutdown);
}

main().catch((error: Error) => {
  console.error(`[demo] ${error.message}`);
  process.exit(1);
});
