// The Moddable Log binding's defence against printing private keys (hosts/moddable/redact.ts) and the
// Network binding's test for addresses that need no DNS look-up (hosts/moddable/address.ts). Both run
// in the simulator too (test/moddable/host.test.ts); here the edge cases.

import { test } from "node:test";
import assert from "node:assert/strict";
import { isIpv4 } from "../../../hosts/moddable/address.js";
import { redactPrivateKeys } from "../../../hosts/moddable/redact.js";

const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";
const RSA_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAu1SU1LfVLPHCozMx\n-----END RSA PRIVATE KEY-----\n";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIUBase64Body\n-----END CERTIFICATE-----";

test("a PKCS#8 key block is replaced, the text around it kept", () => {
  assert.equal(redactPrivateKeys(`loaded ${KEY} from storage`), "loaded [private key removed] from storage");
});

test("PKCS#1 (RSA PRIVATE KEY) and EC blocks are replaced too, several in one message", () => {
  const ec = KEY.replaceAll("PRIVATE KEY", "EC PRIVATE KEY");
  assert.equal(redactPrivateKeys(`a ${RSA_KEY}b ${ec} c`), "a [private key removed]\nb [private key removed] c");
});

test("a key cut off before its END line is removed to the end of the message", () => {
  assert.equal(redactPrivateKeys(`oops ${KEY.slice(0, 60)}`), "oops [private key removed]");
});

test("certificates and ordinary text pass unchanged", () => {
  assert.equal(redactPrivateKeys(`ca ${CERT}`), `ca ${CERT}`);
  assert.equal(redactPrivateKeys("mqtt: tls: certificate: auth err"), "mqtt: tls: certificate: auth err");
  assert.equal(redactPrivateKeys(""), "");
});

test("no base64 line of a key survives", () => {
  const out = redactPrivateKeys(`x${KEY}y${KEY}z`);
  assert.equal(out, "x[private key removed]y[private key removed]z");
  assert.ok(!out.includes("MIIEvQ"));
});

test("dotted IPv4 addresses need no look-up; names, partial and out-of-range forms do", () => {
  for (const address of ["127.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.1.20"]) assert.equal(isIpv4(address), true, address);
  for (const name of ["localhost", "makapix.club", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "1..2.3", "010.0.0.1", "1.2.3.4 ", "", "a.b.c.d", "1e2.0.0.1"]) {
    assert.equal(isIpv4(name), false, name);
  }
});
