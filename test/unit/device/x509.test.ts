// The X.509 reader finds validity and subject CN in real certificates (player: UTCTime; a long-lived
// one: GeneralizedTime and a non-ASCII CN), refuses malformed PEM, base64 and DER with typed errors,
// and survives thousands of mutated certificates with nothing but X509Error.

import { test } from "node:test";
import assert from "node:assert/strict";
import { certificatePemToDer, decodeBase64, readCertificateDer, readCertificatePem, X509Error, type X509ErrorReason } from "../../../src/device/x509.js";
import { CA_CERT_PEM, LONG_CERT_PEM, PLAYER_CERT_PEM } from "../../support/x509-fixtures.js";
import { SeededRandom } from "../../support/virtual-host.js";

function refusedWith(reason: X509ErrorReason, run: () => unknown): X509Error {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof X509Error, `an X509Error, not ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    return error;
  }
  assert.fail("accepted");
}

test("a player certificate: notBefore, notAfter (UTCTime) and the CN that is its player key", () => {
  const facts = readCertificatePem(PLAYER_CERT_PEM);
  assert.equal(new Date(facts.notBeforeMs).toISOString(), "2026-12-02T09:57:26.000Z");
  assert.equal(new Date(facts.notAfterMs).toISOString(), "2029-12-01T09:57:26.000Z");
  assert.equal(facts.subjectCommonName, "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b");
  assert.ok(Object.isFrozen(facts));
});

test("GeneralizedTime after 2049 and a UTF-8 common name", () => {
  const facts = readCertificatePem(LONG_CERT_PEM);
  assert.equal(new Date(facts.notBeforeMs).toISOString(), "2026-12-02T09:57:31.000Z");
  assert.equal(new Date(facts.notAfterMs).toISOString(), "2054-04-19T09:57:31.000Z");
  assert.equal(facts.subjectCommonName, "Zo\u00eb long-lived");
});

test("the first certificate of a chain is read; text around the block is ignored", () => {
  const facts = readCertificatePem(`Subject: whatever\r\n${CA_CERT_PEM.replace(/\n/g, "\r\n")}${PLAYER_CERT_PEM}`);
  assert.equal(facts.subjectCommonName, "Makapix Dev CA");
  assert.equal(new Date(facts.notAfterMs).toISOString(), "2036-11-29T09:57:26.000Z");
});

test("base64: standard alphabet, padding, whitespace; refuses what is not base64", () => {
  const text = (bytes: Uint8Array) => Array.from(bytes).join(",");
  assert.equal(text(decodeBase64("TWFu")), "77,97,110");
  assert.equal(text(decodeBase64("TW E=\n")), "77,97");
  assert.equal(text(decodeBase64("TQ==")), "77");
  assert.equal(text(decodeBase64("+/+/")), "251,255,191");
  assert.equal(decodeBase64("").length, 0);
  refusedWith("base64", () => decodeBase64("TQ=A"));
  refusedWith("base64", () => decodeBase64("T"));
  refusedWith("base64", () => decodeBase64("TQ="));
  refusedWith("base64", () => decodeBase64("TQ==="));
  refusedWith("base64", () => decodeBase64("TW-u"));
  refusedWith("base64", () => decodeBase64("TW\u00e9u"));
  refusedWith("base64", () => decodeBase64("TW\u{1F44B}u"));
});

test("PEM without its lines, or with a body too long, is refused as pem", () => {
  refusedWith("pem", () => readCertificatePem("no certificate here"));
  refusedWith("pem", () => readCertificatePem(PLAYER_CERT_PEM.replace("-----END CERTIFICATE-----", "")));
  refusedWith("pem", () => readCertificatePem("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"));
  refusedWith("pem", () => readCertificatePem(`-----BEGIN CERTIFICATE-----\n${"A".repeat(20000)}\n-----END CERTIFICATE-----`));
  refusedWith("pem", () => readCertificatePem(undefined as unknown as string));
});

test("DER faults: truncation, trailing bytes, indefinite and non-minimal lengths, wrong structure, bad times", () => {
  const der = certificatePemToDer(PLAYER_CERT_PEM);
  refusedWith("der", () => readCertificateDer(der.subarray(0, der.length - 1)));
  refusedWith("der", () => readCertificateDer(new Uint8Array([...der, 0])));
  refusedWith("der", () => readCertificateDer(new Uint8Array([0x30, 0x80, 0, 0])));
  refusedWith("der", () => readCertificateDer(new Uint8Array([0x30, 0x81, 0x03, 0x02, 0x01, 0x00])));
  refusedWith("der", () => readCertificateDer(new Uint8Array([0x30])));
  refusedWith("der", () => readCertificateDer(new Uint8Array(0)));
  refusedWith("structure", () => readCertificateDer(new Uint8Array([0x31, 0x00])));
  refusedWith("structure", () => readCertificateDer(new Uint8Array([0x30, 0x02, 0x02, 0x00])));
  // Corrupt notAfter's "Z", then a digit of its month.
  const notAfter = findTime(der, 1);
  const noZ = der.slice();
  noZ[notAfter + 12] = 0x2b;
  refusedWith("time", () => readCertificateDer(noZ));
  const month13 = der.slice();
  month13[notAfter + 2] = 0x31;
  month13[notAfter + 3] = 0x33;
  refusedWith("time", () => readCertificateDer(month13));
  const february30 = der.slice();
  february30.set([0x30, 0x32, 0x33, 0x30], notAfter + 2);
  refusedWith("time", () => readCertificateDer(february30));
});

test("fuzz: 3000 mutated certificates give facts or an X509Error, nothing else", () => {
  const random = new SeededRandom(0x5eed);
  const byte = new Uint8Array(4);
  const next = (n: number) => {
    random.fill(byte);
    return ((byte[0]! | (byte[1]! << 8) | (byte[2]! << 16)) >>> 0) % n;
  };
  const sources = [certificatePemToDer(PLAYER_CERT_PEM), certificatePemToDer(LONG_CERT_PEM)];
  let accepted = 0;
  let refused = 0;
  for (let round = 0; round < 3000; round++) {
    const source = sources[round % 2]!;
    // Most damage goes into the first 200 bytes, where the structure read here lives.
    let mutated = source.slice();
    const edits = 1 + next(4);
    for (let e = 0; e < edits; e++) {
      const kind = next(4);
      const at = next(Math.min(mutated.length, 200));
      if (kind === 0) mutated[at] = next(256);
      else if (kind === 1) mutated[at] = mutated[at]! ^ (1 << next(8));
      else if (kind === 2) mutated = mutated.subarray(0, at + next(mutated.length - at));
      else mutated = new Uint8Array([...mutated.subarray(0, at), next(256), ...mutated.subarray(at)]);
    }
    try {
      const facts = readCertificateDer(mutated);
      assert.ok(Number.isFinite(facts.notAfterMs) && Number.isFinite(facts.notBeforeMs));
      accepted++;
    } catch (error) {
      if (!(error instanceof X509Error)) throw new Error(`round ${round}: ${String(error)}`);
      refused++;
    }
  }
  assert.equal(accepted + refused, 3000);
  assert.ok(refused > 1000, `${refused} refused`);
});

/** Offset of the `index`-th UTCTime value (0 notBefore, 1 notAfter) in a DER certificate. */
function findTime(der: Uint8Array, index: number): number {
  let seen = 0;
  for (let i = 0; i + 1 < der.length; i++) {
    if (der[i] === 0x17 && der[i + 1] === 13 && seen++ === index) return i + 2;
  }
  throw new Error("no UTCTime");
}
