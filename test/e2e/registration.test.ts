// Registration and renewal end to end on the Node host: the firmware's Registration, RenewalClient and
// PromotedFeedClient over real HTTPS against the demo service, whose certificates come from the local
// Mosquitto's CA. provision → the code registered through the service's register endpoint → credentials
// → an mTLS MQTT connect to the broker with them; renewal inside the window (first certificate 30 days)
// with a revoked token → rotation → a new certificate with a later notAfter that connects too; an
// expired code → a new code; the promoted feed before registration.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { createNodeHost, NodeLog, type NodeHost } from "../../hosts/node/host.js";
import type { ArtworkPost } from "../../src/art/artwork.js";
import { PromotedFeedClient } from "../../src/device/promoted-feed.js";
import { Registration, type RegisteredCredentials, type RegistrationCode } from "../../src/device/registration.js";
import { adviseExpiry, RenewalClient } from "../../src/device/renewal.js";
import { readCertificatePem } from "../../src/device/x509.js";
import { startBroker, type TestBroker } from "../../tools/local-broker.js";
import { startServiceOn } from "../../tools/demo-stack.js";
import type { DemoService } from "../../tools/demo-service/service.js";

let broker: TestBroker;
let service: DemoService;
let catalogueDir: string;
const registrations: Registration[] = [];
const DAY_MS = 86_400_000;
const CODE_TTL_MS = 6000;

before(async () => {
  catalogueDir = mkdtempSync(join(tmpdir(), "makapix-registration-catalogue-"));
  broker = await startBroker();
  service = await startServiceOn(broker, {
    vaultDir: catalogueDir,
    controlPort: false,
    lifecycleLimits: { firstCertificateDays: 30, codeTtlMs: CODE_TTL_MS },
  });
});

after(async () => {
  for (const registration of registrations) registration.stop();
  await service?.stop();
  await broker?.stop();
  rmSync(catalogueDir, { recursive: true, force: true });
});

function nodeHost(): NodeHost {
  return createNodeHost(new NodeLog("warn"));
}

function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

/** Connects to the local broker with these credentials (mTLS, CN = key) and disconnects. */
async function mqttConnect(key: string, credentials: { ca: string; certificate: string; key: string }): Promise<void> {
  const client = await mqtt.connectAsync(`mqtts://localhost:${broker.playerPort}`, {
    protocolVersion: 5,
    clientId: key,
    username: key,
    password: "",
    ca: credentials.ca,
    cert: credentials.certificate,
    key: credentials.key,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  await client.publishAsync(`makapix/player/${key}/status`, JSON.stringify({ player_key: key, status: "online" }), { qos: 1 });
  await client.endAsync();
}

function startRegistration(host: NodeHost, onCode: (code: RegistrationCode, run: RegistrationRun) => void): RegistrationRun {
  const run: RegistrationRun = { codes: [], registered: undefined, registration: undefined as unknown as Registration };
  run.registration = new Registration(
    host,
    {
      code: (code) => {
        run.codes.push(code);
        onCode(code, run);
      },
      registered: (credentials) => (run.registered = credentials),
    },
    { apiBase: service.apiUrls.https, ca: service.vaultCaPem, deviceModel: "virtual-device", firmwareVersion: "0.1.0", backoffInitialMs: 500 },
  );
  registrations.push(run.registration);
  run.registration.start();
  return run;
}

interface RegistrationRun {
  codes: RegistrationCode[];
  registered: RegisteredCredentials | undefined;
  registration: Registration;
}

test("before registration: the promoted feed comes over HTTPS with fetchable art", async () => {
  const host = nodeHost();
  const feed = new PromotedFeedClient(host, { apiBase: service.apiUrls.https, ca: service.vaultCaPem, pageSize: 5 });
  const page = await feed.fetchPage();
  assert.ok(page.posts.length > 0, "promoted posts");
  for (const post of page.posts as ArtworkPost[]) {
    assert.equal(post.kind, "artwork");
    assert.ok(post.artUrl?.startsWith(service.vaultUrls.https), String(post.artUrl));
    assert.ok(post.width! > 0 && post.height! > 0);
  }
  const promoted = service.catalogue.posts.filter((p) => p.promoted && p.kind === "artwork").length;
  if (promoted > 5) assert.equal(page.hasMore, true);
});

test("provision → code → registered on the service → credentials → mTLS MQTT; renewal → later notAfter, also connects", async () => {
  const host = nodeHost();
  const run = startRegistration(host, (code) => void service.registerDevice(code.code, "Kitchen panel"));
  const credentials = await waitFor("credentials", () => run.registered);
  assert.equal(run.codes.length, 1);
  assert.match(run.codes[0]!.code, /^[A-HJKMNP-Z2-9]{6}$/);
  assert.ok(run.codes[0]!.validForMs > CODE_TTL_MS - 2000 && run.codes[0]!.validForMs <= CODE_TTL_MS);
  assert.deepEqual(credentials.broker, { host: "localhost", port: broker.playerPort });
  assert.equal(credentials.apiBase, service.apiUrls.https);
  assert.match(credentials.apiToken ?? "", /^mpx_live_/);
  assert.equal(service.lifecycle.get(credentials.playerKey)?.name, "Kitchen panel");
  const first = readCertificatePem(credentials.certificate);
  assert.equal(first.subjectCommonName, credentials.playerKey);
  const advice = adviseExpiry(first.notAfterMs, Date.now());
  assert.equal(advice.stage, "renew", `a 30-day certificate is inside the renewal window (${advice.daysLeft} days)`);
  await mqttConnect(credentials.playerKey, credentials);
  assert.equal(run.registration.state, "registered");

  // A lost token: the client rotates with the player key and renews with the new token.
  const client = new RenewalClient(host, { apiBase: service.apiUrls.https, ca: service.vaultCaPem });
  const renewed = await client.renew({ playerKey: credentials.playerKey, apiToken: "mpx_live_revoked" });
  assert.equal(renewed.kind, "renewed", JSON.stringify(renewed));
  assert.equal(renewed.tokenRotated, true);
  assert.notEqual(renewed.apiToken, credentials.apiToken);
  if (renewed.kind !== "renewed") return;
  const second = readCertificatePem(renewed.credentials.certificate);
  assert.ok(second.notAfterMs > first.notAfterMs + 1000 * DAY_MS, "the new certificate runs years further");
  assert.equal(renewed.credentials.notAfterMs, second.notAfterMs);
  assert.equal(second.subjectCommonName, credentials.playerKey);
  await mqttConnect(credentials.playerKey, { ca: renewed.credentials.ca, certificate: renewed.credentials.certificate, key: renewed.credentials.key });
  // The old certificate is not revoked: it still connects until it expires.
  await mqttConnect(credentials.playerKey, credentials);

  // Now far from expiry: the service refuses an early renewal with 400, and the client says so.
  const early = await client.renew({ playerKey: credentials.playerKey, apiToken: renewed.apiToken });
  assert.equal(early.kind, "too_early");
  assert.equal(early.tokenRotated, false);

  // Credentials are not one-shot: the current (renewed) certificate, and no new token while one is active.
  const again = await fetchJson(`${service.apiUrls.http}/player/${credentials.playerKey}/credentials`);
  assert.equal(again.status, 200);
  assert.equal(again.body["cert_pem"], renewed.credentials.certificate);
  assert.equal(again.body["api_token"], null);
});

test("an expired code is provisioned again; the new code registers", async () => {
  const host = nodeHost();
  const run = startRegistration(host, (code, current) => {
    if (current.codes.length === 2) void service.registerDevice(code.code, "Second try");
  });
  const credentials = await waitFor("credentials after a second code", () => run.registered, CODE_TTL_MS * 3 + 10_000);
  assert.equal(run.codes.length, 2);
  assert.notEqual(run.codes[0]!.code, run.codes[1]!.code);
  const old = await service.registerDevice(run.codes[0]!.code, "too late");
  assert.equal(old.status, 404);
  assert.deepEqual(old.body, { detail: "Invalid or expired registration code" });
  assert.equal(service.lifecycle.get(credentials.playerKey)?.name, "Second try");
});

test("the service's answers: 404 before registration, {detail} errors, 401 without a token, rotation of an unknown key", async () => {
  const provision = await fetchJson(`${service.apiUrls.http}/player/provision`, { device_model: "curl", firmware_version: "1" });
  assert.equal(provision.status, 201);
  const key = provision.body["player_key"] as string;
  const pending = await fetchJson(`${service.apiUrls.http}/player/${key}/credentials`);
  assert.deepEqual([pending.status, pending.body], [404, { detail: "Player not found or not registered" }]);
  const noToken = await fetchJson(`${service.apiUrls.http}/player/renew-cert`, {});
  assert.equal(noToken.status, 401);
  assert.equal(typeof noToken.body["detail"], "string");
  const rotate = await fetchJson(`${service.apiUrls.http}/player/${key}/token/rotate`, {});
  assert.equal(rotate.status, 404);
  const bad = await fetchJson(`${service.apiUrls.http}/player/provision`, { device_model: 3 });
  assert.equal(bad.status, 422);
  const page = await fetch(service.registerPageUrl);
  assert.match(await page.text(), /Add device[\s\S]*registration_code/);
});

async function fetchJson(url: string, body?: unknown): Promise<{ status: number; body: { [key: string]: unknown } }> {
  const response = await fetch(url, body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { [key: string]: unknown } };
}
