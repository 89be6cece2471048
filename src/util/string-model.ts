// The two string models src/ runs under. Node and xsnap index strings by UTF-16 code unit: an astral
// character ("\u{1F44B}") has length 2 and charCodeAt gives its surrogate halves. A Moddable app
// indexes by code point: the same string has length 1 and charCodeAt(0) is 0x1F44B. Code that walks
// a string by index steps over an astral character by ASTRAL_LENGTH; code that needs bytes counts
// them with util/utf8.ts, never from .length.

/** How many string indexes one astral character takes here: 2 (UTF-16 units) or 1 (code points). */
export const ASTRAL_LENGTH = "\u{10000}".length;

/**
 * Characters (code points) in `s`, the same under both models. Limits a user or the service sees
 * ("at most 512 characters") are counted this way, never with `.length`.
 */
export function codePointCount(s: string): number {
  if (ASTRAL_LENGTH === 1) return s.length;
  // The string iterator visits code points in one pass (an index loop over charCodeAt is quadratic
  // in XS, which keeps strings as UTF-8).
  let count = 0;
  for (const _ of s) count++;
  return count;
}

/**
 * `s` cut to at most `maximum` indexes, never between the halves of a surrogate pair (a lone half
 * would make the text unencodable as UTF-8, e.g. in an MQTT reply). Under the code-point model
 * there are no halves to split.
 */
export function clipText(s: string, maximum: number): string {
  if (s.length <= maximum) return s;
  let end = maximum;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return s.slice(0, end);
}
