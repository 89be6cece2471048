// The demo service's lifecycle rules on a fake clock, with a fake issuer (the real one is exercised by
// test/e2e/registration.test.ts): the code alphabet and TTL, the provisioning, credentials, rotation and
// renewal limits, the 90-day renewal window, token minting, the 128-player cap, {"detail"} errors.

import { test } from "node:test";
import assert from "node:assert/strict";
import { CODE_ALPHABET, Lifecycle, type ApiAnswer, type LifecycleLimits } from "../../tools/demo-service/lifecycle.js";
import type { IssuedCertificate, Issuer } from "../../tools/demo-service/issuer.js";

const DAY = 86_400_000;

function setup(limits: Partial<LifecycleLimits> = {}) {
  let now = Date.UTC(2027, 0, 1);
  let serial = 0;
  const issued: { key: string; days: number }[] = [];
  const issuer: Issuer = {
    caPem: "CA PEM",
    issue: async (key, days): Promise<IssuedCertificate> => {
      issued.push({ key, days });
      serial++;
      return { certPem: `CERT ${serial}`, keyPem: `KEY ${serial}`, caPem: "CA PEM", expiresAt: now + days * DAY, serial: String(serial) };
    },
  };
  const lifecycle = new Lifecycle(issuer, { host: "broker.test", port: 8883 }, () => "https://api.test/api", limits, () => now);
  return { lifecycle, issued, advance: (ms: number) => (now += ms), now: () => now };
}

const body = (answer: ApiAnswer) => answer.body as { [key: string]: any };
const provision = (lifecycle: Lifecycle, ip = "10.0.0.1") => lifecycle.provision(ip, { device_model: "m", firmware_version: "1" });

test("provisioning: 201 with a code from the alphabet and a configurable TTL; 429 after 10 per hour per IP", () => {
  const { lifecycle, advance } = setup({ codeTtlMs: 5000 });
  const first = provision(lifecycle);
  assert.equal(first.status, 201);
  assert.match(body(first)["registration_code"], new RegExp(`^[${CODE_ALPHABET}]{6}$`));
  assert.ok(!/[ILO01]/.test(CODE_ALPHABET));
  assert.equal(Date.parse(body(first)["registration_code_expires_at"]) - Date.UTC(2027, 0, 1), 5000);
  assert.deepEqual(body(first)["mqtt_broker"], { host: "broker.test", port: 8883 });
  for (let i = 0; i < 9; i++) assert.equal(provision(lifecycle).status, 201);
  const refused = provision(lifecycle);
  assert.deepEqual([refused.status, typeof body(refused)["detail"]], [429, "string"]);
  assert.equal(provision(lifecycle, "10.0.0.2").status, 201, "per IP");
  advance(3_600_001);
  assert.equal(provision(lifecycle).status, 201);
  assert.equal(lifecycle.provision("ip", { device_model: 1 }).status, 422);
});

test("credentials: 404 until registered, then the set with a token minted once; 429 past 30 per minute", async () => {
  const { lifecycle, issued } = setup({ firstCertificateDays: 20 });
  const key = body(provision(lifecycle))["player_key"];
  const code = body(provision(lifecycle))["registration_code"];
  assert.deepEqual(lifecycle.credentials("ip", key), { status: 404, body: { detail: "Player not found or not registered" } });
  const mine = lifecycle.all().find((p) => p.playerKey === key)!;
  const registered = await lifecycle.register("demo", { registration_code: mine.registrationCode!.toLowerCase(), name: " Desk " });
  assert.equal(registered.status, 201, "codes are case-insensitive");
  assert.deepEqual(issued, [{ key, days: 20 }]);
  const first = body(lifecycle.credentials("ip", key));
  assert.deepEqual([first["cert_pem"], first["key_pem"], first["ca_pem"]], ["CERT 1", "KEY 1", "CA PEM"]);
  assert.match(first["api_token"], /^mpx_live_/);
  assert.equal(body(lifecycle.credentials("ip", key))["api_token"], null, "no second token while one is active");
  for (let i = 0; i < 27; i++) lifecycle.credentials("ip", key);
  assert.equal(lifecycle.credentials("ip", key).status, 429);
  assert.equal((await lifecycle.register("demo", { registration_code: code, name: "" })).status, 422);
});

test("register: expired or unknown codes are 404; at most 128 players per user", async () => {
  const { lifecycle, advance } = setup({ codeTtlMs: 1000, provisionsPerHourPerIp: 1000 });
  const code = body(provision(lifecycle))["registration_code"];
  advance(1000);
  assert.deepEqual(await lifecycle.register("demo", { registration_code: code, name: "x" }), { status: 404, body: { detail: "Invalid or expired registration code" } });
  for (let i = 0; i < 128; i++) {
    const fresh = body(provision(lifecycle))["registration_code"];
    assert.equal((await lifecycle.register("demo", { registration_code: fresh, name: `p${i}` })).status, 201);
  }
  const extra = body(provision(lifecycle))["registration_code"];
  assert.deepEqual(await lifecycle.register("demo", { registration_code: extra, name: "one too many" }), { status: 400, body: { detail: "Maximum 128 players allowed per user" } });
});

test("renew-cert: 401 without a valid token, 400 beyond 90 days, 200 inside, 429 past 10 a day; rotation revokes the old token", async () => {
  const { lifecycle, advance, issued } = setup({ firstCertificateDays: 100 });
  const key = body(provision(lifecycle))["player_key"];
  await lifecycle.register("demo", { registration_code: lifecycle.get(key)!.registrationCode, name: "x" });
  const token = body(lifecycle.credentials("ip", key))["api_token"];
  assert.equal((await lifecycle.renew("ip", undefined)).status, 401);
  assert.equal((await lifecycle.renew("ip", "Bearer nope")).status, 401);
  const early = await lifecycle.renew("ip", `Bearer ${token}`);
  assert.equal(early.status, 400);
  assert.match(body(early)["detail"], /still valid/);
  advance(10 * DAY); // 90 days left
  const ok = await lifecycle.renew("ip", `Bearer ${token}`);
  assert.equal(ok.status, 200);
  assert.deepEqual(Object.keys(body(ok)).sort(), ["ca_pem", "cert_expires_at", "cert_pem", "key_pem"]);
  assert.equal(issued.at(-1)!.days, 1095);
  assert.equal(body(lifecycle.credentials("ip", key))["cert_pem"], body(ok)["cert_pem"], "credentials return the current certificate");
  const rotated = lifecycle.rotate("ip", key);
  assert.equal(rotated.status, 200);
  assert.equal((await lifecycle.renew("ip", `Bearer ${token}`)).status, 401, "the old token is revoked");
  assert.equal(lifecycle.rotate("ip", "ffffffff-0000-4000-8000-000000000000").status, 404);
  // Ten renewals a day per player (the 400s above counted too, as the service counts before checking).
  const fresh = `Bearer ${body(rotated)["api_token"]}`;
  let statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await lifecycle.renew("ip", fresh)).status);
  assert.ok(statuses.includes(429));
  advance(DAY + 1);
  statuses = [(await lifecycle.renew("ip", fresh)).status];
  assert.notEqual(statuses[0], 429);
});

test("token rotation: 429 past 30 per hour per IP", async () => {
  const { lifecycle } = setup();
  const key = body(provision(lifecycle))["player_key"];
  await lifecycle.register("demo", { registration_code: lifecycle.get(key)!.registrationCode, name: "x" });
  for (let i = 0; i < 30; i++) assert.equal(lifecycle.rotate("ip", key).status, 200);
  assert.equal(lifecycle.rotate("ip", key).status, 429);
});
