// ASCII character classes for the small syntax checks of URLs and HTTP headers, as plain loops.
// Why not regular expressions: a RegExp literal at module level of a PRELOADED module crashes the
// Moddable SDK 8.2.3 engine once the collector runs during exec/test (docs/testing.md, "Moddable"),
// and one evaluated per call costs ~0.7 ms in the simulator. These loops cost neither.
// Strings are walked with for-of (one pass in XS, where charCodeAt(i) walks from the start), so a
// check is linear under both string models (UTF-16 units in Node/xsnap, code points in an app).

export function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

export function isAsciiHexDigit(code: number): boolean {
  return isAsciiDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** True when `text` is `minimum` to `maximum` ASCII digits (a length counted in characters). */
export function isDigits(text: string, minimum: number, maximum: number): boolean {
  if (text.length < minimum || text.length > maximum) return false;
  for (const character of text) if (!isAsciiDigit(character.codePointAt(0)!)) return false;
  return true;
}

/**
 * True when every character of a non-empty `text` is an ASCII letter or digit, or one of the
 * ASCII characters in `others` (e.g. "-._~%").
 */
export function isAlphanumericOr(text: string, others: string): boolean {
  if (text.length === 0) return false;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (!isAsciiLetter(code) && !isAsciiDigit(code) && (code > 0x7f || !others.includes(character))) return false;
  }
  return true;
}
