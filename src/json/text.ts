// The text of the string or key the tokenizer has just read, held in a fixed buffer of UTF-16 code
// units and handed to the handler without creating a JS string. The handler compares it with
// names (no allocation) or asks for toString() when it wants to keep it.
//
// Memory: capacity × 2 bytes, allocated once.

// String.fromCharCode.apply pushes every unit on the engine stack; XS on an ESP32 has a small stack.
const CONVERT_CHUNK = 64;

export class JsonText {
  readonly units: Uint16Array;
  /** Code units held (at most the limit in force when the string was read). */
  length = 0;
  /** The string was longer than the limit: `units` holds only its beginning. */
  truncated = false;

  constructor(capacity: number) {
    this.units = new Uint16Array(capacity);
  }

  get capacity(): number {
    return this.units.length;
  }

  /** True when the text is exactly `name` (never for a truncated text). */
  equals(name: string): boolean {
    const length = this.length;
    if (this.truncated || name.length !== length) return false;
    const units = this.units;
    for (let i = 0; i < length; i++) if (units[i] !== name.charCodeAt(i)) return false;
    return true;
  }

  /** Index of the name the text equals, or -1. */
  indexIn(names: readonly string[]): number {
    const length = this.length;
    if (this.truncated || length === 0) return length === 0 && !this.truncated ? names.indexOf("") : -1;
    const units = this.units;
    const first = units[0];
    for (let index = 0; index < names.length; index++) {
      const name = names[index]!;
      if (name.length !== length || name.charCodeAt(0) !== first) continue;
      let i = 1;
      while (i < length && units[i] === name.charCodeAt(i)) i++;
      if (i === length) return index;
    }
    return -1;
  }

  /** The text as a new JS string (the only allocation this class makes). */
  toString(): string {
    const length = this.length;
    if (length === 0) return "";
    let result = "";
    for (let start = 0; start < length; start += CONVERT_CHUNK) {
      const end = start + CONVERT_CHUNK < length ? start + CONVERT_CHUNK : length;
      // fromCharCode accepts any array-like through apply; the cast only satisfies the type checker.
      result += String.fromCharCode.apply(null, this.units.subarray(start, end) as unknown as number[]);
    }
    return result;
  }
}
