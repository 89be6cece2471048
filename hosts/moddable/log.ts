// The Log port on `trace` (the serial console on a device, stdout/xsbug in the simulator), with a
// minimum level. Callers never pass secrets (the port's contract); as a second line of defence a PEM
// private-key block in a message is replaced before it is printed.

import type { Log, LogLevel } from "../../src/ports.js";

const LEVELS: readonly LogLevel[] = Object.freeze(["debug", "info", "warn", "error"] as LogLevel[]);
const KEY_MARK = "PRIVATE KEY-----";
const REDACTED = "[private key removed]";

/** `message` with every "-----BEGIN … PRIVATE KEY-----" … "-----END … PRIVATE KEY-----" block replaced. */
export function redactPrivateKeys(message: string): string {
  if (message.indexOf(KEY_MARK) < 0) return message;
  let out = "";
  let from = 0;
  for (;;) {
    const mark = message.indexOf(KEY_MARK, from);
    if (mark < 0) break;
    const begin = message.lastIndexOf("-----BEGIN", mark);
    const end = message.indexOf("-----END", mark + KEY_MARK.length);
    // Without an END line, everything after BEGIN goes: a truncated key is still a secret.
    const stop = end < 0 ? message.length : message.indexOf(KEY_MARK, end);
    const blockEnd = stop < 0 ? message.length : stop + KEY_MARK.length;
    const blockStart = begin >= from ? begin : mark;
    out += message.slice(from, blockStart) + REDACTED;
    from = blockEnd;
  }
  return out + message.slice(from);
}

export class TraceLog implements Log {
  readonly #minimum: number;
  readonly #print: (line: string) => void;

  constructor(minimum: LogLevel = "info", print: (line: string) => void = (line) => trace(line)) {
    this.#minimum = LEVELS.indexOf(minimum);
    this.#print = print;
  }

  write(level: LogLevel, message: string): void {
    if (LEVELS.indexOf(level) < this.#minimum) return;
    this.#print(`${level}: ${redactPrivateKeys(message)}\n`);
  }
}
