// Turns the result lines the XS harness prints for one test file into ok / not ok lines and counts.
// Shared by the xsnap tier (one engine per file) and the Moddable SDK tier (one app, many files).

// Hints appended to failures caused by host APIs that XS/Moddable lack.
const missingGlobalHints = {
  setTimeout: "XS has no timers: go through the Timer port",
  setInterval: "XS has no timers: go through the Timer port",
  setImmediate: "not in Moddable: go through the Timer port",
  queueMicrotask: "XS 13 lacks it: use Promise.resolve().then",
  console: "XS has no console: use the Log port (print in tests)",
  structuredClone: "XS lacks structuredClone",
  process: "Node's process object does not exist in XS",
  Buffer: "Node's Buffer does not exist in XS: use Uint8Array",
};

// Built-in methods Node 20 has and XS 13.3 lacks (checked with build/xsnap/bin/xsnap). XS reports a
// call to one of them only as "TypeError: no function", so the runner names the suspects it finds
// in the bundle.
const methodsMissingInXs = [
  "toSorted", "toReversed", "toSpliced", "with", "fromAsync", "withResolvers", "groupBy", "isWellFormed",
  "toWellFormed", "union", "intersection", "difference", "symmetricDifference", "isSubsetOf", "isSupersetOf",
  "isDisjointFrom", "fromBase64", "toBase64", "fromHex", "toHex", "sumPrecise", "isError", "waitAsync",
];

export function withHint(message, bundleSource) {
  if (message.includes("no function")) {
    const suspects = methodsMissingInXs.filter((name) => new RegExp(`\\.${name}\\s*\\(`).test(bundleSource));
    if (suspects.length) return `${message} [the file calls ${suspects.map((name) => `${name}()`).join(", ")}, missing in XS 13.3]`;
  }
  for (const [name, hint] of Object.entries(missingGlobalHints)) {
    if (message.includes(name) && /ReferenceError|not defined|undefined variable|no function|not a function/.test(message)) {
      return `${message} [${hint}]`;
    }
  }
  return message;
}

export class FileResults {
  /** `label`: the file as shown in result lines; `bundleSource`: its bundle, for hints. */
  constructor(label, bundleSource = "") {
    this.file = label;
    this.bundleSource = bundleSource;
    this.lines = [];
    this.output = [];
    this.unhandled = [];
    this.passed = 0;
    this.failed = 0;
    this.running = undefined; // name of the test that started and has not reported yet
    this.done = false;
    this.fatal = false; // the entry module reported why the file could not run
  }

  #addLine(line) {
    this.lines.push(line.replaceAll("\n", "\n    "));
  }

  failFile(message) {
    this.failed++;
    this.#addLine(`not ok - ${this.file}: ${withHint(message, this.bundleSource)}`);
  }

  /** A line the code under test printed (not a result). */
  outputLine(line) {
    if (line !== "") this.output.push(line);
    if (/^unhandled (rejection|exception)/.test(line)) this.unhandled.push(line);
  }

  /** One result event of the harness (test/xs/harness.ts ResultEvent), or the entry's "fatal". */
  event(event) {
    const name = event.name ? [this.file, ...event.name].join(" > ") : this.file;
    if (event.type === "start") this.running = event.name.join(" > ");
    else if (event.type === "test") {
      this.running = undefined;
      if (event.status === "pass") {
        this.passed++;
        this.lines.push(`ok - ${name}`);
      } else if (event.status === "skip") this.lines.push(`skip - ${name}`);
      else if (event.status === "todo") this.#addLine(`todo - ${name}${event.message ? `: ${event.message}` : ""}`);
      else {
        this.failed++;
        this.#addLine(`not ok - ${name}: ${withHint(event.message ?? "failed", this.bundleSource)}`);
      }
    } else if (event.type === "fatal") {
      this.fatal = true;
      this.failFile(event.message);
    } else if (event.type === "done") this.done = true;
  }

  /** " while running "<test>"" when a test had started and not finished, else "". */
  get during() {
    return this.running ? ` while running "${this.running}"` : "";
  }

  /**
   * The file's run is over. `abnormal` says why the engine stopped early (timed out, crashed), if it
   * did; otherwise a run without the harness's final line is reported here.
   */
  end(abnormal) {
    if (abnormal) this.failFile(abnormal);
    else if (!this.done && this.fatal) {
      // already reported
    } else if (!this.done && this.running) {
      this.failFile(`the run ended before "${this.running}" finished: it awaits something XS never delivers (a timer? an event?)`);
    } else if (!this.done && this.lines.length === 0) this.failFile("the run ended without the harness's final result line");
    else if (!this.done) this.failFile("the run ended before the harness's final result line");
    for (const line of this.unhandled) this.failFile(line);
  }

  /** The file's printed output after its results: the last 20 lines on failure, all when verbose. */
  appendOutput(verbose) {
    if (!(this.failed > 0 || verbose)) return;
    const shown = verbose ? this.output : this.output.slice(-20);
    if (shown.length === 0) return;
    this.lines.push(`  output of ${this.file}${shown.length < this.output.length ? ` (last ${shown.length} lines)` : ""}:`);
    for (const line of shown) this.lines.push(`  | ${line}`);
  }
}

/** Parses `<prefix> <json>` result lines; returns the event, or undefined for any other line. */
export function parseResultLine(line, prefix) {
  if (!line.startsWith(`${prefix} `)) return undefined;
  try {
    return JSON.parse(line.slice(prefix.length + 1));
  } catch {
    return undefined;
  }
}
