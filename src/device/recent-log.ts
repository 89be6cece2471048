// The last few log lines, kept in memory for the serial "recent log" command: a Log that passes every
// line on to the host's own log and remembers the newest ones in a ring. An owner whose board shows a
// retry screen can read why without a debugger.
//
// Memory: `capacity` strings of at most `lineCharacters` characters each (by default 32 × 160), and the
// ring's array; nothing else per line. Secrets: the Log contract keeps them out; the provisioning
// handler filters again before sending.

import type { Log, LogLevel } from "../ports.js";

export interface RecentLogOptions {
  /** Lines kept (default 32). */
  capacity?: number;
  /** Longer lines are cut (default 160, the handler's own limit). */
  lineCharacters?: number;
  /** Lines below this level are passed on but not kept (default "info"). */
  minimum?: LogLevel;
}

const LEVEL_ORDER = Object.freeze({ debug: 0, info: 1, warn: 2, error: 3 });

export class RecentLog implements Log {
  readonly #next: Log;
  readonly #lines: string[];
  readonly #capacity: number;
  readonly #lineCharacters: number;
  readonly #minimum: number;
  /** Where the next line goes once the ring is full. */
  #head = 0;

  constructor(next: Log, options: RecentLogOptions = {}) {
    this.#next = next;
    this.#capacity = Math.max(1, options.capacity ?? 32);
    this.#lineCharacters = Math.max(16, options.lineCharacters ?? 160);
    this.#minimum = LEVEL_ORDER[options.minimum ?? "info"];
    this.#lines = [];
  }

  write(level: LogLevel, message: string): void {
    this.#next.write(level, message);
    if (LEVEL_ORDER[level] < this.#minimum) return;
    const text = String(message);
    const line = `${level}: ${text.length > this.#lineCharacters ? text.slice(0, this.#lineCharacters) : text}`;
    if (this.#lines.length < this.#capacity) {
      this.#lines.push(line);
      return;
    }
    this.#lines[this.#head] = line;
    this.#head = (this.#head + 1) % this.#capacity;
  }

  /** The kept lines, oldest first (a copy). */
  lines(): string[] {
    const lines = this.#lines;
    if (lines.length < this.#capacity) return lines.slice();
    return lines.slice(this.#head).concat(lines.slice(0, this.#head));
  }
}
