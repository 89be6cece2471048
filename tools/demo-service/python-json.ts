// The text the real service publishes: Python's json.dumps with its defaults (", " and ": "
// separators, ensure_ascii: every character outside printable ASCII escaped as \uXXXX, astral
// characters as surrogate pairs). The firmware must parse exactly this, so the demo writes it.

/** A JSON value as the service builds it: no undefined inside (omitted fields are left out). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

/** Python's json.dumps(value) text. Object members whose value is undefined are skipped. */
export function pythonJson(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return pythonString(value);
  if (Array.isArray(value)) return "[" + value.map((item) => pythonJson(item)).join(", ") + "]";
  const members: string[] = [];
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (member === undefined) continue;
    members.push(pythonString(key) + ": " + pythonJson(member));
  }
  return "{" + members.join(", ") + "}";
}

function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`not JSON: ${value}`);
  return String(value);
}

const SHORT_ESCAPES: { [code: number]: string } = { 0x22: '\\"', 0x5c: "\\\\", 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t", 0x08: "\\b", 0x0c: "\\f" };

/** A JSON string with ensure_ascii escaping; JS strings are UTF-16, like Python's escape output. */
export function pythonString(text: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c) continue;
    out += text.slice(runStart, i);
    out += SHORT_ESCAPES[code] ?? "\\u" + code.toString(16).padStart(4, "0");
    runStart = i + 1;
  }
  return out + text.slice(runStart) + '"';
}

/** Bytes of the minified UTF-8 JSON (Python separators=(",", ":"), ensure_ascii=False). */
export function minifiedJsonBytes(value: JsonValue): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}
