// Player certificates from a dev CA folder made by certs/make-dev-certs.sh (the local broker's, so a
// certificate issued here passes its mTLS check): RSA 2048, CN = player key, SAN player-{key},
// clientAuth, unencrypted PKCS#8 key, as the service issues them (sheet §2). Issued asynchronously (key
// generation takes a fraction of a second: the service keeps answering meanwhile) and one at a time
// (openssl's serial file is shared).

import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { X509Certificate } from "node:crypto";

const CERT_SCRIPT = fileURLToPath(new URL("../../../certs/make-dev-certs.sh", import.meta.url));

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  caPem: string;
  /** notAfter, ms since 1970. */
  expiresAt: number;
  serial: string;
}

/** What the lifecycle needs from an issuer (tests of its rules use a fake). */
export interface Issuer {
  readonly caPem: string;
  issue(playerKey: string, days: number): Promise<IssuedCertificate>;
}

export class CertificateIssuer implements Issuer {
  readonly caPem: string;
  #queue: Promise<unknown> = Promise.resolve();

  /** `certsDir` holds ca.crt and ca.key (make-dev-certs.sh ca DIR). */
  constructor(readonly certsDir: string) {
    if (!existsSync(join(certsDir, "ca.key"))) throw new Error(`no CA key in ${certsDir}`);
    this.caPem = readFileSync(join(certsDir, "ca.crt"), "utf8");
  }

  /** A new certificate and key for `playerKey`, valid `days` days from now. */
  issue(playerKey: string, days: number): Promise<IssuedCertificate> {
    const run = this.#queue.then(() => this.#issue(playerKey, days));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #issue(playerKey: string, days: number): Promise<IssuedCertificate> {
    return new Promise((resolve, reject) => {
      execFile("bash", [CERT_SCRIPT, "player", this.certsDir, playerKey], { env: { ...process.env, DEV_PLAYER_DAYS: String(days) } }, (error, _stdout, stderr) => {
        if (error) {
          reject(new Error(`certificate script failed: ${stderr || error.message}`));
          return;
        }
        const certFile = join(this.certsDir, `player-${playerKey}.crt`);
        const keyFile = join(this.certsDir, `player-${playerKey}.key`);
        try {
          const certPem = readFileSync(certFile, "utf8");
          const keyPem = readFileSync(keyFile, "utf8");
          const parsed = new X509Certificate(certPem);
          resolve({ certPem, keyPem, caPem: this.caPem, expiresAt: Date.parse(parsed.validTo), serial: parsed.serialNumber });
        } catch (failure) {
          reject(failure as Error);
        } finally {
          // The service keeps key material in its database; here, in memory only.
          rmSync(keyFile, { force: true });
          rmSync(certFile, { force: true });
        }
      });
    });
  }
}
