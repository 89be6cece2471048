// Registration on the virtual clock against a scripted API: the code is shown, credentials are polled
// every 3 s through 404s, a 429 waits 60 s (or Retry-After), an expired code provisions again, network
// failures back off and recover, a provisioning 429 backs off, malformed replies are not accepted,
// stop() leaves nothing behind, and the player key never appears whole in the log.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Registration, type RegisteredCredentials, type RegistrationCode, type RegistrationProblem } from "../../../src/device/registration.js";
import { createVirtualHost, type VirtualHost } from "../../support/virtual-host.js";
import { isoAt, ScriptedApi, type ApiAnswer, type ApiCall } from "../../support/scripted-api.js";
import { CA_CERT_PEM, PLAYER_CERT_PEM } from "../../support/x509-fixtures.js";

const KEY = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";
const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
const API = "https://api.test/api";

interface Run {
  host: VirtualHost;
  api: ScriptedApi;
  registration: Registration;
  codes: RegistrationCode[];
  registered: RegisteredCredentials[];
  problems: RegistrationProblem[];
}

function provisionReply(host: VirtualHost, code: string, key = KEY, lifetimeMs = 15 * 60_000): ApiAnswer {
  return {
    status: 201,
    json: {
      player_key: key,
      registration_code: code,
      registration_code_expires_at: isoAt(host.clock.wallTimeMs()! + lifetimeMs),
      mqtt_broker: { host: "broker.test", port: 8884 },
      https_api: { base_url: API, auth: "bearer" },
    },
  };
}

const credentialsReply: ApiAnswer = {
  status: 200,
  json: { ca_pem: CA_CERT_PEM, cert_pem: PLAYER_CERT_PEM, key_pem: KEY_PEM, broker: { host: "broker.test", port: 8884 }, https_api: { base_url: API, auth: "bearer" }, api_token: "mpx_live_token1" },
};

function start(handler: (call: ApiCall, host: VirtualHost) => ApiAnswer, offline = false): Run {
  const host = createVirtualHost(7);
  const api = new ScriptedApi(host, (call) => handler(call, host));
  api.offline = offline;
  const run: Run = { host, api, registration: undefined as unknown as Registration, codes: [], registered: [], problems: [] };
  run.registration = new Registration(
    host,
    { code: (code) => run.codes.push(code), registered: (credentials) => run.registered.push(credentials), problem: (problem) => run.problems.push(problem) },
    { apiBase: API + "/", ca: "TEST CA", deviceModel: "virtual-device", firmwareVersion: "0.1.0" },
  );
  run.registration.start();
  return run;
}

const gaps = (calls: ApiCall[]) => calls.slice(1).map((call, i) => call.atMs - calls[i]!.atMs);

test("provision → code → credentials polled every 3 s through 404s → registered with everything", async () => {
  let polls = 0;
  const run = start((call, host) => {
    if (call.path === "/api/player/provision") return provisionReply(host, "AB3CD9");
    return ++polls < 5 ? { status: 404, json: { detail: "Player not found or not registered" } } : credentialsReply;
  });
  await run.host.timers.advance(60_000);
  const provision = run.api.callsTo("/api/player/provision")[0]!;
  assert.equal(provision.method, "POST");
  assert.deepEqual(JSON.parse(provision.body), { device_model: "virtual-device", firmware_version: "0.1.0" });
  assert.match(provision.head, /Content-Type: application\/json/);
  assert.equal(run.codes.length, 1);
  assert.equal(run.codes[0]!.code, "AB3CD9");
  assert.equal(run.codes[0]!.validForMs, 15 * 60_000);
  assert.equal(run.codes[0]!.expiresAtMs, run.host.clock.wallEpochMs + 15 * 60_000);
  const polled = run.api.callsTo(`/api/player/${KEY}/credentials`, "GET");
  assert.equal(polled.length, 5);
  assert.deepEqual(gaps([provision, ...polled]), [3000, 3000, 3000, 3000, 3000]);
  assert.equal(run.registered.length, 1);
  assert.deepEqual(run.registered[0], {
    playerKey: KEY,
    ca: CA_CERT_PEM,
    certificate: PLAYER_CERT_PEM,
    key: KEY_PEM,
    broker: { host: "broker.test", port: 8884 },
    apiToken: "mpx_live_token1",
    apiBase: API,
  });
  assert.equal(run.registration.state, "registered");
  assert.equal(run.host.timers.pending, 0, "nothing is left scheduled");
  assert.equal(run.problems.length, 0);
  assert.ok(!run.host.log.lines.some((line) => line.includes(KEY)), "the player key is never logged whole");
});

test("a credentials 429 waits 60 s, or a longer Retry-After", async () => {
  let polls = 0;
  const run = start((call, host) => {
    if (call.path.endsWith("/provision")) return provisionReply(host, "ZZ2345");
    polls++;
    if (polls === 1) return { status: 429, json: { detail: "Too many credential requests. Please try again later." } };
    if (polls === 2) return { status: 429, json: { detail: "later" }, headers: ["Retry-After: 120"] };
    return polls < 4 ? { status: 404, json: { detail: "no" } } : credentialsReply;
  });
  await run.host.timers.advance(400_000);
  const polled = run.api.callsTo("/api/player/", "GET");
  assert.deepEqual(gaps(polled), [60_000, 120_000, 3000]);
  assert.deepEqual(run.problems.map((p) => [p.kind, p.retryInMs]), [["rate_limited", 60_000], ["rate_limited", 120_000]]);
  assert.match(run.problems[0]!.message, /Too many credential requests/);
  assert.equal(run.registered.length, 1);
});

test("when the code expires, the device provisions again and shows the new code", async () => {
  let provisions = 0;
  const run = start((call, host) => {
    if (call.path.endsWith("/provision")) {
      provisions++;
      return provisionReply(host, provisions === 1 ? "AAAAAA" : "BBBBBB", provisions === 1 ? KEY : "ffffffff-0000-4000-8000-000000000001", 60_000);
    }
    return call.path.includes("ffffffff") && call.atMs > 80_000 ? credentialsReply : { status: 404, json: { detail: "no" } };
  });
  await run.host.timers.advance(100_000);
  assert.deepEqual(run.codes.map((c) => c.code), ["AAAAAA", "BBBBBB"]);
  const provisionsAt = run.api.callsTo("/api/player/provision").map((c) => c.atMs);
  assert.equal(provisionsAt.length, 2);
  assert.ok(provisionsAt[1]! >= 60_000 && provisionsAt[1]! <= 63_000, `provisioned again at ${provisionsAt[1]}`);
  assert.ok(run.api.callsTo(`/api/player/${KEY}/credentials`).every((c) => c.atMs < 60_000), "the old key is not polled after expiry");
  assert.equal(run.registered.length, 1);
  assert.equal(run.registered[0]!.playerKey, "ffffffff-0000-4000-8000-000000000001");
});

test("an expiry time in the past (clock skew) or an unsynced clock uses the 15-minute lifetime", async () => {
  const run = start((call, host) => (call.path.endsWith("/provision") ? provisionReply(host, "CCCCCC", KEY, -3_600_000) : { status: 404, json: { detail: "no" } }));
  await run.host.timers.advance(10);
  assert.equal(run.codes[0]!.validForMs, 15 * 60_000);
  run.registration.stop();
  const unsynced = createVirtualHost(1);
  unsynced.timers.wallClockSynced = false;
  const api = new ScriptedApi(unsynced, () => ({ status: 201, json: { player_key: KEY, registration_code: "DDDDDD", registration_code_expires_at: "2026-11-25T12:15:00+00:00" } }));
  const codes: RegistrationCode[] = [];
  const registration = new Registration(unsynced, { code: (c) => codes.push(c), registered: () => undefined }, { apiBase: API, ca: "CA", deviceModel: "m", firmwareVersion: "1" });
  registration.start();
  await unsynced.timers.advance(10);
  assert.deepEqual(codes, [{ code: "DDDDDD", expiresAtMs: undefined, validForMs: 15 * 60_000 }]);
  registration.stop();
  assert.equal(api.calls.length, 1);
});

test("network failures back off with growing waits and recover; the flow never gives up", async () => {
  const run = start((call, host) => (call.path.endsWith("/provision") ? provisionReply(host, "EEEEEE") : credentialsReply), true);
  await run.host.timers.advance(60_000);
  const failures = run.problems.filter((p) => p.kind === "network");
  assert.ok(failures.length >= 3, `${failures.length} failures reported`);
  for (let i = 1; i < 3; i++) assert.ok(failures[i]!.retryInMs >= 2500 * 2 ** (i - 1), `wait ${i}: ${failures[i]!.retryInMs}`);
  assert.equal(run.codes.length, 0);
  run.api.offline = false;
  await run.host.timers.advance(400_000);
  assert.equal(run.codes.length, 1);
  assert.equal(run.registered.length, 1);
});

test("a provisioning 429 waits a minute, then two; a 5xx backs off; both say why", async () => {
  let provisions = 0;
  const run = start((call, host) => {
    provisions++;
    if (provisions <= 2) return { status: 429, json: { detail: "Too many provisioning requests" } };
    if (provisions === 3) return { status: 503, raw: "<html>busy</html>" };
    return call.path.endsWith("/provision") ? provisionReply(host, "FFFFFF") : credentialsReply;
  });
  await run.host.timers.advance(600_000);
  const at = run.api.callsTo("/api/player/provision").map((c) => c.atMs);
  assert.deepEqual(at.slice(0, 3), [0, 60_000, 180_000]);
  assert.deepEqual(run.problems.map((p) => p.kind), ["rate_limited", "rate_limited", "refused"]);
  assert.match(run.problems[2]!.message, /503/);
  assert.equal(run.registered.length, 1);
});

test("malformed replies are not accepted: a bad code, credentials without a key PEM", async () => {
  let provisions = 0;
  let polls = 0;
  const run = start((call, host) => {
    if (call.path.endsWith("/provision")) return ++provisions === 1 ? provisionReply(host, "IL0O11") : provisionReply(host, "GGGGGG");
    return ++polls === 1 ? { status: 200, json: { ca_pem: CA_CERT_PEM, cert_pem: PLAYER_CERT_PEM, broker: { host: "b", port: 1 } } } : credentialsReply;
  });
  await run.host.timers.advance(120_000);
  assert.deepEqual(run.codes.map((c) => c.code), ["GGGGGG"], "a code outside the alphabet is refused");
  assert.deepEqual(run.problems.map((p) => p.kind), ["malformed", "malformed"]);
  assert.equal(run.registered.length, 1);
});

test("stop() while polling: no further request, no timer, no event", async () => {
  const run = start((call, host) => (call.path.endsWith("/provision") ? provisionReply(host, "HHHHHH") : { status: 404, json: { detail: "no" } }));
  await run.host.timers.advance(7000);
  const before = run.api.calls.length;
  run.registration.stop();
  await run.host.timers.advance(120_000);
  assert.equal(run.api.calls.length, before);
  assert.equal(run.host.timers.pending, 0);
  assert.equal(run.registration.state, "stopped");
  assert.equal(run.registered.length, 0);
});
