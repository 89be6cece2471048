// ISO 8601 timestamps as the service writes them (Python's isoformat: "2026-12-02T10:15:00.123456+00:00",
// or with "Z"), read into milliseconds since 1970 UTC. Only the shapes the service sends are accepted:
// a full date, hours, minutes, optional seconds and fraction, and an offset ("Z" or ±HH:MM). A naive
// time (no offset) is refused: guessing its zone would move an expiry by hours.

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Milliseconds since 1970 UTC, or undefined when `text` is not such a timestamp. */
export function parseIsoTimestamp(text: string): number | undefined {
  if (typeof text !== "string" || text.length > 40) return undefined;
  const match = ISO.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = match[7] === undefined ? 0 : Math.floor(Number(`0.${match[7]}`) * 1000);
  let offsetMinutes = 0;
  const zone = match[8]!;
  if (zone !== "Z") {
    const digits = zone.replace(":", "");
    offsetMinutes = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (zone[0] === "-" ? -1 : 1);
  }
  const at = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
  // Date.UTC rolls 31 April over to 1 May: such a date was not real.
  if (new Date(at).getUTCDate() !== day) return undefined;
  return at - offsetMinutes * 60_000;
}
