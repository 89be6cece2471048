// The Timers port on the SDK's `timer` module (Timer.set/repeat/clear). Port ids are numbers; the SDK
// returns Timer objects, kept in a map while they are live. A callback that throws would abort the VM
// (it is called from native code), so the exception is caught and logged.

import Timer from "timer";
import type { Log, TimerId, Timers } from "../../src/ports.js";
import { errorMessage } from "../../src/util/errors.js";

export class ModdableTimers implements Timers {
  readonly #active = new Map<TimerId, Timer>();
  readonly #log: Log | undefined;
  #nextId = 1;

  constructor(log?: Log) {
    this.#log = log;
  }

  set(callback: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    this.#active.set(
      id,
      Timer.set(() => {
        this.#active.delete(id);
        this.#run(callback);
      }, ms),
    );
    return id;
  }

  repeat(callback: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    this.#active.set(
      id,
      Timer.repeat(() => this.#run(callback), ms),
    );
    return id;
  }

  clear(id: TimerId): void {
    const timer = this.#active.get(id);
    if (timer === undefined) return;
    this.#active.delete(id);
    Timer.clear(timer);
  }

  /** Timers still pending: a stopped device should have none. */
  get pending(): number {
    return this.#active.size;
  }

  #run(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#log?.write("error", `timer callback threw: ${errorMessage(error)}`);
    }
  }
}
