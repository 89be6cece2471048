// Certificate renewal on the virtual clock against a scripted API: the 90/45-day policy, the daily
// check, renew-cert with the bearer token, 401 → token rotation → one retry, 429 and network backoff,
// a refused rotation, a 400 "too early", an unsynced clock, and stop()/update().

import { test } from "node:test";
import assert from "node:assert/strict";
import { adviseExpiry, DAY_MS, RenewalClient, RenewalSchedule, type ExpiryAdvice, type RenewalResult, type RenewedCredentials } from "../../../src/device/renewal.js";
import { createVirtualHost, type VirtualHost } from "../../support/virtual-host.js";
import { ScriptedApi, type ApiAnswer, type ApiCall } from "../../support/scripted-api.js";
import { CA_CERT_PEM, LONG_CERT_PEM } from "../../support/x509-fixtures.js";

const KEY = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";
const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
const API = "https://api.test/api";
const renewed: ApiAnswer = { status: 200, json: { cert_pem: LONG_CERT_PEM, key_pem: KEY_PEM, ca_pem: CA_CERT_PEM, cert_expires_at: "2054-04-19T09:57:31+00:00" } };

test("policy: valid beyond 90 days, warn within 90, renew within 45, expired after notAfter", () => {
  const now = Date.UTC(2027, 0, 1);
  const at = (days: number, extraMs = 0) => adviseExpiry(now + days * DAY_MS + extraMs, now);
  assert.deepEqual(at(90, 1), { stage: "valid", daysLeft: 90 });
  assert.deepEqual(at(90), { stage: "warn", daysLeft: 90 });
  assert.deepEqual(at(45, 1), { stage: "warn", daysLeft: 45 });
  assert.deepEqual(at(45), { stage: "renew", daysLeft: 45 });
  assert.deepEqual(at(0, 1), { stage: "renew", daysLeft: 0 });
  assert.deepEqual(at(0), { stage: "expired", daysLeft: 0 });
  assert.deepEqual(at(-3), { stage: "expired", daysLeft: -3 });
});

interface Run {
  host: VirtualHost;
  api: ScriptedApi;
  schedule: RenewalSchedule;
  expiring: ExpiryAdvice[];
  renewals: { credentials: RenewedCredentials; result: RenewalResult }[];
  problems: { result: RenewalResult; retryInMs: number }[];
  tokens: string[];
}

function start(handler: (call: ApiCall) => ApiAnswer, daysLeft: number, token: string | null = "tok-1"): Run {
  const host = createVirtualHost(11);
  const api = new ScriptedApi(host, handler);
  const run: Run = { host, api, schedule: undefined as unknown as RenewalSchedule, expiring: [], renewals: [], problems: [], tokens: [] };
  run.schedule = new RenewalSchedule(host, new RenewalClient(host, { apiBase: API, ca: "TEST CA" }), {
    expiring: (advice) => run.expiring.push(advice),
    renewed: (credentials, result) => run.renewals.push({ credentials, result }),
    problem: (result, retryInMs) => run.problems.push({ result, retryInMs }),
    tokenChanged: (t) => run.tokens.push(t),
  });
  run.schedule.update(host.clock.wallTimeMs()! + daysLeft * DAY_MS, { playerKey: KEY, apiToken: token ?? undefined });
  return run;
}

const bearer = (call: ApiCall) => /\r\nAuthorization: Bearer (\S+)\r\n/.exec(call.head)?.[1];

test("checks daily, warns within 90 days, renews from 45: the new set and its notAfter", async () => {
  const run = start(() => renewed, 50);
  await run.host.timers.advance(4 * DAY_MS);
  assert.equal(run.api.calls.length, 0, "nothing is renewed with 46+ days left");
  assert.deepEqual(run.expiring.map((a) => [a.stage, a.daysLeft]), [["warn", 50], ["warn", 49], ["warn", 48], ["warn", 47], ["warn", 46]]);
  await run.host.timers.advance(DAY_MS);
  const call = run.api.calls[0]!;
  assert.equal(call.method, "POST");
  assert.equal(call.path, "/api/player/renew-cert");
  assert.equal(bearer(call), "tok-1");
  assert.equal(call.atMs, 5 * DAY_MS, "renewed at the first daily check inside 45 days");
  assert.equal(run.renewals.length, 1);
  const { credentials, result } = run.renewals[0]!;
  assert.deepEqual(credentials, { certificate: LONG_CERT_PEM, key: KEY_PEM, ca: CA_CERT_PEM, notAfterMs: Date.UTC(2054, 3, 19, 9, 57, 31) });
  assert.equal(result.tokenRotated, false);
  assert.equal(result.apiToken, "tok-1");
  await run.host.timers.advance(5 * DAY_MS);
  assert.equal(run.api.calls.length, 1, "idle until the caller has the new set in use");
  assert.equal(run.host.timers.pending, 0);
  run.schedule.update(credentials.notAfterMs, { playerKey: KEY, apiToken: "tok-1" });
  await run.host.timers.advance(3 * DAY_MS);
  assert.equal(run.api.calls.length, 1);
  assert.equal(run.expiring.length, 6, "a certificate with years left raises no warning");
});

test("401 → the token is rotated with only the player key → renew again with the new token", async () => {
  const run = start((call) => {
    if (call.path === `/api/player/${KEY}/token/rotate`) return { status: 200, json: { api_token: "tok-2", rotated_at: "2026-11-25T12:00:00+00:00" } };
    return bearer(call) === "tok-2" ? renewed : { status: 401, json: { detail: "Invalid token" } };
  }, 30);
  await run.host.timers.advance(10);
  assert.deepEqual(run.api.calls.map((c) => `${c.method} ${c.path} ${bearer(c) ?? "-"}`), [
    "POST /api/player/renew-cert tok-1",
    `POST /api/player/${KEY}/token/rotate -`,
    "POST /api/player/renew-cert tok-2",
  ]);
  assert.equal(run.renewals.length, 1);
  assert.equal(run.renewals[0]!.result.apiToken, "tok-2");
  assert.equal(run.renewals[0]!.result.tokenRotated, true);
});

test("no stored token: rotate first; a second 401 is final for today (one rotation only)", async () => {
  const run = start((call) => (call.path.endsWith("/token/rotate") ? { status: 200, json: { api_token: "tok-9" } } : { status: 401, json: { detail: "Invalid token" } }), 10, null);
  await run.host.timers.advance(10);
  assert.deepEqual(run.api.calls.map((c) => c.path), [`/api/player/${KEY}/token/rotate`, "/api/player/renew-cert"]);
  assert.equal(run.problems.length, 1);
  assert.equal(run.problems[0]!.result.kind, "unauthorized");
  assert.equal(run.problems[0]!.retryInMs, DAY_MS);
  assert.deepEqual(run.tokens, ["tok-9"], "the rotated token is handed over to be stored even though renewal failed");
  await run.host.timers.advance(DAY_MS);
  assert.equal(bearer(run.api.calls[2]!), "tok-9", "tomorrow's attempt uses the rotated token");
});

test("a refused rotation (404: not registered) is unauthorized; a rotation 429 is rate-limited", async () => {
  const gone = start((call) => (call.path.endsWith("/token/rotate") ? { status: 404, json: { detail: "Player not found or not registered" } } : { status: 401, json: { detail: "x" } }), 10);
  await gone.host.timers.advance(10);
  assert.equal(gone.problems[0]!.result.kind, "unauthorized");
  const busy = start((call) => (call.path.endsWith("/token/rotate") ? { status: 429, json: { detail: "Too many token rotation requests." } } : { status: 401, json: { detail: "x" } }), 10);
  await busy.host.timers.advance(10);
  assert.equal(busy.problems[0]!.result.kind, "rate_limited");
});

test("429 backs off from about an hour, doubling, honouring a longer Retry-After", async () => {
  let attempts = 0;
  const run = start(() => (++attempts <= 2 ? { status: 429, json: { detail: "Too many renewals" }, ...(attempts === 2 ? { headers: ["Retry-After: 10800"] } : {}) } : renewed), 20);
  await run.host.timers.advance(DAY_MS);
  const at = run.api.calls.map((c) => c.atMs);
  assert.equal(at.length, 3);
  assert.ok(at[1]! >= 30 * 60_000 && at[1]! <= 60 * 60_000, `first retry after ${at[1]} ms`);
  assert.ok(at[2]! - at[1]! >= 3 * 3_600_000, "Retry-After 3 h honoured");
  assert.equal(run.problems[0]!.result.kind, "rate_limited");
  assert.equal(run.renewals.length, 1);
});

test("a network failure and a 5xx back off and retry; a 400 waits for tomorrow", async () => {
  let attempts = 0;
  const run = start(() => {
    attempts++;
    if (attempts === 1) return "refuse";
    if (attempts === 2) return { status: 502, raw: "<html>bad gateway</html>" };
    if (attempts === 3) return { status: 400, json: { detail: "Certificate is still valid for more than 90 days" } };
    return renewed;
  }, 40);
  await run.host.timers.advance(3 * 3_600_000);
  assert.deepEqual(run.problems.map((p) => p.result.kind), ["failed", "failed", "too_early"]);
  assert.match((run.problems[1]!.result as { reason: string }).reason, /502/);
  assert.equal(run.problems[2]!.retryInMs, DAY_MS);
  await run.host.timers.advance(DAY_MS);
  assert.equal(run.renewals.length, 1);
});

test("a reply without a key, or with an unreadable certificate and no date, is not a renewal", async () => {
  let attempts = 0;
  const run = start(() => {
    attempts++;
    if (attempts === 1) return { status: 200, json: { cert_pem: LONG_CERT_PEM, ca_pem: CA_CERT_PEM } };
    return { status: 200, json: { cert_pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", key_pem: KEY_PEM, ca_pem: CA_CERT_PEM } };
  }, 5);
  await run.host.timers.advance(2 * 3_600_000);
  assert.equal(run.renewals.length, 0);
  assert.ok(run.problems.length >= 2 && run.problems.every((p) => p.result.kind === "failed"));
  assert.match((run.problems[0]!.result as { reason: string }).reason, /without the certificate, key and CA/);
  assert.match((run.problems[1]!.result as { reason: string }).reason, /unreadable/);
});

test("an unsynced clock defers the check by a minute; an expired certificate renews at once; stop() ends it", async () => {
  const host = createVirtualHost(2);
  host.timers.wallClockSynced = false;
  const api = new ScriptedApi(host, () => renewed);
  const seen: string[] = [];
  const schedule = new RenewalSchedule(host, new RenewalClient(host, { apiBase: API, ca: "CA" }), {
    expiring: (a) => seen.push(a.stage),
    renewed: () => seen.push("renewed"),
  });
  schedule.update(host.timers.wallEpochMs - DAY_MS, { playerKey: KEY, apiToken: "t" });
  await host.timers.advance(59_000);
  assert.equal(api.calls.length, 0);
  host.timers.wallClockSynced = true;
  await host.timers.advance(1_000);
  assert.deepEqual(seen, ["expired", "renewed"]);
  schedule.update(host.timers.wallEpochMs + 60 * DAY_MS, { playerKey: KEY, apiToken: "t" });
  schedule.stop();
  await host.timers.advance(100 * DAY_MS);
  assert.equal(host.timers.pending, 0);
  assert.equal(api.calls.length, 1);
});
