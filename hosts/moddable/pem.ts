// PEM text (what provisioning delivers and the TLS port takes) to DER (what the SDK's TLS stack takes:
// it refuses PEM), through the SDK's crypt module. Converted at connect time and kept per PEM string, so
// a reconnect does not decode base64 again.
//
// Memory: at most MAX_ENTRIES DER buffers (a CA, a client certificate and its key are ~1–1.5 KB each for
// RSA 2048/4096). The cache is per PemCache instance (no module-level mutable state: this module may be
// preloaded).

import Transform from "crypt/transform";

/** CA, client certificate, key, plus room for one credential change before the oldest are dropped. */
const MAX_ENTRIES = 6;

export class PemCache {
  readonly #der = new Map<string, ArrayBuffer>();

  /**
   * The DER bytes of the first PEM block in `pem` (CERTIFICATE, PRIVATE KEY or RSA PRIVATE KEY). A PEM
   * with several certificates yields only the first: the SDK's TLS client takes one CA.
   * Throws when `pem` has no PEM block.
   */
  toDer(pem: string): ArrayBuffer {
    const cached = this.#der.get(pem);
    if (cached) return cached;
    const der = Transform.pemToDER(pem);
    if (this.#der.size >= MAX_ENTRIES) this.#der.clear();
    this.#der.set(pem, der);
    return der;
  }
}
