// ISO 8601 timestamps as the service writes them (Python's isoformat: "2026-12-02T10:15:00.123456+00:00",
// or with "Z"), read into milliseconds since 1970 UTC. Only the shapes the service sends are accepted:
// a full date, "T" (or a space), hours and minutes, optional seconds and fraction, and an offset ("Z"
// or ±HH:MM / ±HHMM). A naive time (no offset) is refused: guessing its zone would move an expiry by
// hours. Read with a cursor, not a RegExp (src/util/ascii.ts says why).

import { isAsciiDigit } from "../util/ascii.js";

/** Milliseconds since 1970 UTC, or undefined when `text` is not such a timestamp. */
export function parseIsoTimestamp(text: string): number | undefined {
  if (typeof text !== "string" || text.length < 17 || text.length > 40) return undefined;
  for (const character of text) if (character.codePointAt(0)! > 0x7f) return undefined; // so indices agree under both string models
  let at = 0;
  const number = (digits: number): number => {
    let value = 0;
    for (let i = 0; i < digits; i++) {
      const code = text.charCodeAt(at + i);
      if (!isAsciiDigit(code)) return -1;
      value = value * 10 + code - 0x30;
    }
    at += digits;
    return value;
  };
  const expect = (character: string): boolean => (text[at] === character ? (at++, true) : false);
  const year = number(4);
  if (year < 1970 || !expect("-")) return undefined;
  const month = number(2);
  if (month < 1 || month > 12 || !expect("-")) return undefined;
  const day = number(2);
  if (day < 1 || !(expect("T") || expect(" "))) return undefined;
  const hour = number(2);
  if (hour < 0 || hour > 23 || !expect(":")) return undefined;
  const minute = number(2);
  if (minute < 0 || minute > 59) return undefined;
  let second = 0;
  let fraction = 0;
  if (expect(":")) {
    second = number(2);
    if (second < 0 || second > 59) return undefined;
    if (expect(".")) {
      let digits = 0;
      let scale = 100;
      while (digits < 9 && isAsciiDigit(text.charCodeAt(at))) {
        fraction += (text.charCodeAt(at) - 0x30) * scale;
        scale /= 10;
        at++;
        digits++;
      }
      if (digits === 0) return undefined;
      fraction = Math.floor(fraction);
    }
  }
  let offsetMinutes = 0;
  if (!expect("Z")) {
    const sign = text[at] === "+" ? 1 : text[at] === "-" ? -1 : 0;
    if (sign === 0) return undefined;
    at++;
    const hours = number(2);
    expect(":");
    const minutes = number(2);
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
    offsetMinutes = sign * (hours * 60 + minutes);
  }
  if (at !== text.length) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
  // Date.UTC rolls 31 April over to 1 May: such a date was not real.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  return utc - offsetMinutes * 60_000;
}
