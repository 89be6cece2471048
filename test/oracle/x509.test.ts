// The X.509 reader against node:crypto's X509Certificate on certificates made just now by
// certs/make-dev-certs.sh (CA, broker, players) and by openssl with other key types, lifetimes
// (UTCTime and GeneralizedTime) and subjects.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCertificatePem } from "../../src/device/x509.js";

const CERT_SCRIPT = fileURLToPath(new URL("../../../certs/make-dev-certs.sh", import.meta.url));

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const result = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, ...env } });
  assert.equal(result.status, 0, `${command} ${args.join(" ")}: ${result.stderr}`);
}

function compare(pem: string, label: string): void {
  const reference = new X509Certificate(pem);
  const facts = readCertificatePem(pem);
  assert.equal(facts.notAfterMs, Date.parse(reference.validTo), `${label}: notAfter`);
  assert.equal(facts.notBeforeMs, Date.parse(reference.validFrom), `${label}: notBefore`);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(reference.subject)?.[1];
  assert.equal(facts.subjectCommonName, cn, `${label}: CN`);
}

test("certificates from make-dev-certs.sh and openssl read as node:crypto reads them", () => {
  const dir = mkdtempSync(join(tmpdir(), "makapix-x509-oracle-"));
  try {
    const certs = join(dir, "certs");
    run("bash", [CERT_SCRIPT, "ca", certs], { DEV_CERT_BITS: "2048" });
    const keys = ["0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b", "ffffffff-0000-4000-8000-000000000001"];
    for (const key of keys) run("bash", [CERT_SCRIPT, "player", certs, key]);
    let compared = 0;
    for (const name of ["ca.crt", "broker.crt", ...keys.map((key) => `player-${key}.crt`)]) {
      compare(readFileSync(join(certs, name), "utf8"), name);
      compared++;
    }
    // Other shapes: EC keys, a GeneralizedTime notAfter, a subject without CN, a UTF-8 CN.
    const shapes: [string, string[]][] = [
      ["ec-long", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-days", "12000", "-subj", "/O=Test/CN=long"]],
      ["no-cn", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-days", "30", "-subj", "/O=Only an organisation"]],
      ["utf8", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-days", "1", "-utf8", "-subj", "/CN=J\u00fcrgen \u{1F44B}"]],
      ["rsa-short", ["-newkey", "rsa:1024", "-days", "2", "-subj", "/C=US/O=Makapix/CN=short"]],
    ];
    for (const [label, args] of shapes) {
      const out = join(dir, `${label}.crt`);
      run("openssl", ["req", "-x509", "-nodes", "-keyout", join(dir, `${label}.key`), "-out", out, ...args]);
      compare(readFileSync(out, "utf8"), label);
      compared++;
    }
    assert.equal(compared, 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
