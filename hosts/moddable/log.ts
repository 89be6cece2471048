// The Log port on `trace` (the serial console on a device, stdout/xsbug in the simulator), with a
// minimum level. Callers never pass secrets (the port's contract); as a second line of defence a PEM
// private-key block in a message is replaced before it is printed.

import type { Log, LogLevel } from "../../src/ports.js";
import { redactPrivateKeys } from "./redact.js";

const LEVELS: readonly LogLevel[] = Object.freeze(["debug", "info", "warn", "error"] as LogLevel[]);
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
