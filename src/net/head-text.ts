// Byte-level reading of HTTP head text in a buffer, without copying what is not needed: header-name
// comparison, decimal and hex digits, and copying a value out as a string.

// RFC 9110 tchar: the bytes a header name may contain.
export const TOKEN = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  TOKEN[c] = alnum || "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0 ? 1 : 0;
}

export function isDigit(byte: number): boolean {
  return byte >= 48 && byte <= 57;
}

export function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** Case-insensitive comparison of a header name in the buffer with a lower-case ASCII name. */
export function nameIs(bytes: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) {
    const c = bytes[start + i]!;
    if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== name.charCodeAt(i)) return false;
  }
  return true;
}

/** 1 to 15 decimal digits (exact in a double), or undefined. */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number | undefined {
  if (end === start || end - start > 15) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (!isDigit(c)) return undefined;
    value = value * 10 + (c - 48);
  }
  return value;
}

const LATIN1_CHUNK = 64;
const HEX = "0123456789ABCDEF";

/** Header bytes as a string: one character per byte, or %XX for bytes ≥ 0x80 when `percentHigh`. */
export function latin1(bytes: Uint8Array, start: number, end: number, percentHigh = false): string {
  let out = "";
  let runStart = start;
  for (let i = start; i <= end; i++) {
    const high = i < end && percentHigh && bytes[i]! >= 0x80;
    if (i === end || high || i - runStart === LATIN1_CHUNK) {
      // String.fromCharCode accepts any array-like through apply; the cast only satisfies the type checker.
      if (i > runStart) out += String.fromCharCode.apply(null, bytes.subarray(runStart, i) as unknown as number[]);
      runStart = i;
    }
    if (high) {
      out += "%" + HEX[bytes[i]! >> 4] + HEX[bytes[i]! & 15];
      runStart = i + 1;
    }
  }
  return out;
}
