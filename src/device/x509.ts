// The few facts the device needs from its X.509 certificate: when it stops being valid (to warn within
// 90 days and renew from 45, protocol sheet §2 and §9), when it starts, and the subject's common name
// (the player key the broker sees). PEM text → base64 → DER → a walk of the TLV structure down to
// tbsCertificate.validity and .subject; nothing else is interpreted and no signature is checked (the
// TLS stack does that). Everything is bounded: the PEM length, the DER length, the nesting (a fixed
// path, no recursion) and the strings copied out. Malformed input is an X509Error with a reason.
//
// Memory: the DER bytes (≤ 3/4 of the PEM, at most MAXIMUM_PEM_CHARACTERS · 3/4) and a few scalars.

import { utf8Decode } from "../util/utf8.js";

export type X509ErrorReason =
  /** No "-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----" block, or it is too long. */
  | "pem"
  /** A character outside base64, misplaced padding, or a length that is not whole bytes. */
  | "base64"
  /** A tag or length that is not DER, or a value running past its container. */
  | "der"
  /** Well-formed DER that is not an X.509 certificate (wrong tags where the structure is fixed). */
  | "structure"
  /** A validity time that is not UTCTime/GeneralizedTime as RFC 5280 requires, or not a real date. */
  | "time";

export class X509Error extends Error {
  override readonly name = "X509Error";
  readonly reason: X509ErrorReason;
  constructor(reason: X509ErrorReason, message: string) {
    super(`${reason}: ${message}`);
    this.reason = reason;
  }
}

export interface CertificateFacts {
  /** Milliseconds since 1970 UTC. */
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  /** The subject's first CN (a player certificate's is its player key), or undefined. */
  readonly subjectCommonName: string | undefined;
}

/** A player certificate PEM is < 2 KiB (the sheet promises ≤ 4 KB); generous, still bounded. */
export const MAXIMUM_PEM_CHARACTERS = 16384;
/** X.520 bounds a common name to 64 characters; UTF-8 may take 4 bytes each. */
const MAXIMUM_CN_BYTES = 256;

const BEGIN = "-----BEGIN CERTIFICATE-----";
const END = "-----END CERTIFICATE-----";

const TAG_INTEGER = 0x02;
const TAG_OID = 0x06;
const TAG_UTF8_STRING = 0x0c;
const TAG_PRINTABLE_STRING = 0x13;
const TAG_T61_STRING = 0x14;
const TAG_IA5_STRING = 0x16;
const TAG_UTC_TIME = 0x17;
const TAG_GENERALIZED_TIME = 0x18;
const TAG_SEQUENCE = 0x30;
const TAG_SET = 0x31;
const TAG_VERSION = 0xa0; // [0] EXPLICIT, constructed
/** 2.5.4.3 id-at-commonName, as DER content bytes. */
const CN_OID = Object.freeze([0x55, 0x04, 0x03]);

/** The facts of the first certificate in `pem` (a chain's leaf comes first). */
export function readCertificatePem(pem: string): CertificateFacts {
  return readCertificateDer(certificatePemToDer(pem));
}

/** The DER bytes of the first CERTIFICATE block of `pem`. */
export function certificatePemToDer(pem: string): Uint8Array {
  if (typeof pem !== "string") throw new X509Error("pem", "not text");
  const begin = pem.indexOf(BEGIN);
  if (begin < 0) throw new X509Error("pem", `no "${BEGIN}" line`);
  const bodyStart = begin + BEGIN.length;
  const end = pem.indexOf(END, bodyStart);
  if (end < 0) throw new X509Error("pem", `no "${END}" line`);
  if (end - bodyStart > MAXIMUM_PEM_CHARACTERS) throw new X509Error("pem", `longer than ${MAXIMUM_PEM_CHARACTERS} characters`);
  return decodeBase64(pem, bodyStart, end);
}

/**
 * Standard base64 (RFC 4648 §4) of `text` between `start` and `end`, whitespace ignored (PEM lines),
 * "=" padding only at the end. Anything outside ASCII is refused. Walked with for-of: in a Moddable
 * app, where strings index by code point, charCodeAt(i) walks from the start each time.
 */
export function decodeBase64(text: string, start = 0, end = text.length): Uint8Array {
  const body = start === 0 && end === text.length ? text : text.slice(start, end);
  let symbols = 0;
  let padding = 0;
  let offset = 0;
  for (const character of body) {
    const code = character.codePointAt(0)!;
    offset++;
    if (isSpace(code)) continue;
    if (code === 0x3d) {
      padding++;
      continue;
    }
    if (padding > 0) throw new X509Error("base64", `data after "=" padding at character ${offset - 1}`);
    if (sextet(code) < 0) throw new X509Error("base64", `character ${code} at ${offset - 1} is not base64`);
    symbols++;
  }
  if (padding > 2 || (padding > 0 && (symbols + padding) % 4 !== 0) || symbols % 4 === 1) {
    throw new X509Error("base64", `${symbols} symbols and ${padding} "=" are not whole bytes`);
  }
  const out = new Uint8Array(Math.floor((symbols * 6) / 8));
  let bits = 0;
  let count = 0;
  let o = 0;
  for (const character of body) {
    const value = sextet(character.codePointAt(0)!);
    if (value < 0) continue;
    bits = ((bits << 6) | value) & 0xffffff;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[o++] = (bits >> count) & 0xff;
      if (o === out.length) break;
    }
  }
  return out;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function sextet(code: number): number {
  if (code >= 0x41 && code <= 0x5a) return code - 0x41;
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 26;
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 52;
  if (code === 0x2b) return 62;
  if (code === 0x2f) return 63;
  return -1;
}

/** One TLV: its tag, where its value starts and ends. Reused by the reader, never kept. */
interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** Reads the TLV at `offset`, which must end by `limit`. DER only: definite, minimal lengths. */
function readTlv(der: Uint8Array, offset: number, limit: number, into: Tlv): Tlv {
  if (offset + 2 > limit) throw new X509Error("der", `element at ${offset} runs past its container`);
  const tag = der[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new X509Error("der", `multi-byte tag at ${offset}`);
  let length = der[offset + 1]!;
  let at = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0) throw new X509Error("der", `indefinite length at ${offset}`);
    if (bytes > 3) throw new X509Error("der", `length of ${bytes} bytes at ${offset}`);
    if (at + bytes > limit) throw new X509Error("der", `length at ${offset} runs past its container`);
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[at + i]!;
    if (der[at] === 0 || length < 0x80) throw new X509Error("der", `non-minimal length at ${offset}`);
    at += bytes;
  }
  if (at + length > limit) throw new X509Error("der", `value at ${offset} (${length} bytes) runs past its container`);
  into.tag = tag;
  into.start = at;
  into.end = at + length;
  return into;
}

function expect(tlv: Tlv, tag: number, what: string): void {
  if (tlv.tag !== tag) throw new X509Error("structure", `${what}: tag 0x${tlv.tag.toString(16)} where 0x${tag.toString(16)} belongs`);
}

export function readCertificateDer(der: Uint8Array): CertificateFacts {
  if (!(der instanceof Uint8Array)) throw new X509Error("der", "not bytes");
  const tlv: Tlv = { tag: 0, start: 0, end: 0 };
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
  readTlv(der, 0, der.length, tlv);
  expect(tlv, TAG_SEQUENCE, "Certificate");
  if (tlv.end !== der.length) throw new X509Error("der", `${der.length - tlv.end} bytes after the certificate`);
  readTlv(der, tlv.start, tlv.end, tlv);
  expect(tlv, TAG_SEQUENCE, "tbsCertificate");
  const tbsEnd = tlv.end;
  // tbsCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject, … }
  readTlv(der, tlv.start, tbsEnd, tlv);
  if (tlv.tag === TAG_VERSION) readTlv(der, tlv.end, tbsEnd, tlv);
  expect(tlv, TAG_INTEGER, "serialNumber");
  readTlv(der, tlv.end, tbsEnd, tlv);
  expect(tlv, TAG_SEQUENCE, "signature algorithm");
  readTlv(der, tlv.end, tbsEnd, tlv);
  expect(tlv, TAG_SEQUENCE, "issuer");
  readTlv(der, tlv.end, tbsEnd, tlv);
  expect(tlv, TAG_SEQUENCE, "validity");
  const validityEnd = tlv.end;
  const subjectAt = tlv.end;
  readTlv(der, tlv.start, validityEnd, tlv);
  const notBeforeMs = readTime(der, tlv, "notBefore");
  readTlv(der, tlv.end, validityEnd, tlv);
  const notAfterMs = readTime(der, tlv, "notAfter");
  if (tlv.end !== validityEnd) throw new X509Error("structure", "validity holds more than two times");
  readTlv(der, subjectAt, tbsEnd, tlv);
  expect(tlv, TAG_SEQUENCE, "subject");
  const subjectCommonName = readCommonName(der, tlv.start, tlv.end);
  return Object.freeze({ notBeforeMs, notAfterMs, subjectCommonName });
}

/** Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }: the first CN's value as text. */
function readCommonName(der: Uint8Array, start: number, end: number): string | undefined {
  const rdn: Tlv = { tag: 0, start: 0, end: 0 };
  const attribute: Tlv = { tag: 0, start: 0, end: 0 };
  const part: Tlv = { tag: 0, start: 0, end: 0 };
  for (let at = start; at < end; at = rdn.end) {
    readTlv(der, at, end, rdn);
    expect(rdn, TAG_SET, "RelativeDistinguishedName");
    for (let inner = rdn.start; inner < rdn.end; inner = attribute.end) {
      readTlv(der, inner, rdn.end, attribute);
      expect(attribute, TAG_SEQUENCE, "AttributeTypeAndValue");
      readTlv(der, attribute.start, attribute.end, part);
      expect(part, TAG_OID, "attribute type");
      const isCn = part.end - part.start === CN_OID.length && der[part.start] === CN_OID[0] && der[part.start + 1] === CN_OID[1] && der[part.start + 2] === CN_OID[2];
      readTlv(der, part.end, attribute.end, part);
      if (!isCn) continue;
      const tag = part.tag;
      if (tag !== TAG_UTF8_STRING && tag !== TAG_PRINTABLE_STRING && tag !== TAG_IA5_STRING && tag !== TAG_T61_STRING) {
        throw new X509Error("structure", `common name as string type 0x${tag.toString(16)}`);
      }
      if (part.end - part.start > MAXIMUM_CN_BYTES) throw new X509Error("structure", `common name longer than ${MAXIMUM_CN_BYTES} bytes`);
      try {
        return utf8Decode(der, part.start, part.end);
      } catch {
        throw new X509Error("structure", "common name is not UTF-8");
      }
    }
  }
  return undefined;
}

/** UTCTime "YYMMDDHHMMSSZ" (years 1950–2049) or GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 5280 §4.1.2.5). */
function readTime(der: Uint8Array, tlv: Tlv, what: string): number {
  const length = tlv.end - tlv.start;
  let at = tlv.start;
  let year: number;
  if (tlv.tag === TAG_UTC_TIME) {
    if (length !== 13) throw new X509Error("time", `${what}: UTCTime of ${length} bytes`);
    const yy = digits(der, at, 2, what);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    at += 2;
  } else if (tlv.tag === TAG_GENERALIZED_TIME) {
    if (length !== 15) throw new X509Error("time", `${what}: GeneralizedTime of ${length} bytes`);
    year = digits(der, at, 4, what);
    // Date.UTC reads years 0–99 as 1900–1999; no certificate of ours predates UTCTime's range anyway.
    if (year < 1950) throw new X509Error("time", `${what}: year ${year}`);
    at += 4;
  } else {
    throw new X509Error("structure", `${what}: tag 0x${tlv.tag.toString(16)} is not a time`);
  }
  const month = digits(der, at, 2, what);
  const day = digits(der, at + 2, 2, what);
  const hour = digits(der, at + 4, 2, what);
  const minute = digits(der, at + 6, 2, what);
  const second = digits(der, at + 8, 2, what);
  if (der[at + 10] !== 0x5a) throw new X509Error("time", `${what}: not in UTC ("Z")`);
  const daysInMonth = month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw new X509Error("time", `${what}: ${year}-${month}-${day} ${hour}:${minute}:${second} is not a date`);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function digits(der: Uint8Array, at: number, count: number, what: string): number {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const code = der[at + i]!;
    if (code < 0x30 || code > 0x39) throw new X509Error("time", `${what}: byte ${code} is not a digit`);
    value = value * 10 + code - 0x30;
  }
  return value;
}
