// The SDK's PEM/DER helper ($(MODDABLE)/modules/crypt/etc/transform.js), which ships without typings.
// The manifest maps this file to the module name "crypt/transform" next to the SDK's .js, so mcconfig's
// tsc reads it too; only what the TLS binding uses.

declare module "crypt/transform" {
  export default class Transform {
    /** The first PEM block (CERTIFICATE, RSA PRIVATE KEY or PRIVATE KEY) as DER; throws "no delimiter". */
    static pemToDER(source: string | ArrayBuffer): ArrayBuffer;
  }
}
