// Stand-in for `node:test` inside XS (test/xs/run.mjs maps `node:test` here when bundling a test
// file). `test`/`it`/`describe` only register; the runner's entry module calls `run()` (published on
// globalThis) once the bundle has been evaluated. Tests run one at a time in declaration order;
// async bodies are awaited (XS runs promise jobs, but has no timers: a test waiting on one never ends
// and the runner reports it). Every result is printed as one line: `<prefix> <json>`, where the
// prefix is a per-run nonce chosen by the runner, so `print` output from code under test cannot be
// mistaken for a result.

type Done = (error?: unknown) => void;
type TestBody = (context: TestContext, done: Done) => unknown;
type HookBody = () => unknown;

export interface TestOptions {
  skip?: boolean | string;
  todo?: boolean | string;
  only?: boolean;
  timeout?: number;
  concurrency?: number | boolean;
}

interface TestEntry {
  kind: "test";
  name: string;
  body: TestBody | undefined;
  skip: boolean;
  // Like node:test, a todo test runs, but its outcome counts neither as passed nor as failed.
  todo: boolean;
}

interface Suite {
  kind: "suite";
  name: string;
  skip: boolean;
  entries: (TestEntry | Suite)[];
  before: HookBody[];
  after: HookBody[];
  beforeEach: HookBody[];
  afterEach: HookBody[];
  // A failure while declaring the suite (its body threw): reported as a failed test.
  declarationError?: unknown;
}

export type ResultEvent =
  | { type: "start"; name: string[] }
  | { type: "test"; name: string[]; status: "pass" | "fail" | "skip" | "todo"; message?: string }
  | { type: "done"; passed: number; failed: number; skipped: number };

interface XsGlobals {
  print?: (text: string) => void;
  __xsTestReportPrefix?: string;
  __xsTestHarness?: { run(): Promise<void> };
}

const xsGlobals = globalThis as unknown as XsGlobals;
const print = xsGlobals.print;

function newSuite(name: string, skip: boolean): Suite {
  return { kind: "suite", name, skip, entries: [], before: [], after: [], beforeEach: [], afterEach: [] };
}

const root = newSuite("", false);
let current = root;
let started = false;

function report(event: ResultEvent): void {
  const line = `${xsGlobals.__xsTestReportPrefix ?? "xs-test"} ${JSON.stringify(event)}`;
  if (print) print(line);
}

export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) {
      const message = error.name === "AssertionError" ? error.message : `${error.name}: ${error.message}`;
      const cause = (error as { cause?: unknown }).cause;
      return cause === undefined ? message : `${message} (cause: ${describeError(cause)})`;
    }
    return `thrown non-error: ${typeof error === "string" ? JSON.stringify(error) : String(error)}`;
  } catch {
    return "thrown value that cannot be described";
  }
}

function parseArguments(args: unknown[]): { name: string; options: TestOptions; body: TestBody | undefined } {
  let name = "<anonymous>";
  let options: TestOptions = {};
  let body: TestBody | undefined;
  for (const arg of args) {
    if (typeof arg === "string") name = arg;
    else if (typeof arg === "function") {
      // Unnamed tests stay "<anonymous>": node:test would use the function's name, which a
      // Moddable app strips.
      body = arg as TestBody;
    } else if (typeof arg === "object" && arg !== null) options = arg as TestOptions;
  }
  return { name, options, body };
}

type Mode = "run" | "skip" | "todo";

function newTestEntry(args: unknown[], mode: Mode): TestEntry {
  const { name, options, body } = parseArguments(args);
  const skip = mode === "skip" || Boolean(options.skip) || body === undefined;
  return { kind: "test", name, body, skip, todo: mode === "todo" || Boolean(options.todo) };
}

function register(args: unknown[], mode: Mode): Promise<void> {
  if (started) {
    throw new Error("test() called while tests are running: nested tests must use the test context (t.test)");
  }
  current.entries.push(newTestEntry(args, mode));
  return Promise.resolve();
}

function registerSuite(args: unknown[], mode: Mode): Promise<void> {
  const { name, options, body } = parseArguments(args);
  const suite = newSuite(name, mode === "skip" || Boolean(options.skip) || current.skip);
  current.entries.push(suite);
  const parent = current;
  current = suite;
  try {
    const result = body?.(undefined as unknown as TestContext, () => {});
    if (result && typeof (result as Promise<unknown>).then === "function") {
      suite.declarationError = new Error("async describe() bodies are not supported by the XS harness: declare tests synchronously");
    }
  } catch (error) {
    suite.declarationError = error;
  } finally {
    current = parent;
  }
  return Promise.resolve();
}

type TestFunction = ((...args: unknown[]) => Promise<void>) & {
  skip: (...args: unknown[]) => Promise<void>;
  todo: (...args: unknown[]) => Promise<void>;
  only: (...args: unknown[]) => Promise<void>;
};

function makeTestFunction(registrar: (args: unknown[], mode: Mode) => Promise<void>): TestFunction {
  const fn = (...args: unknown[]) => registrar(args, "run");
  fn.skip = (...args: unknown[]) => registrar(args, "skip");
  fn.todo = (...args: unknown[]) => registrar(args, "todo");
  fn.only = (...args: unknown[]) => registrar(args, "run");
  return fn;
}

export const test = makeTestFunction(register);
export const it = test;
export const describe = makeTestFunction(registerSuite);
export const suite = describe;

export function before(body: HookBody): void {
  current.before.push(body);
}
export function after(body: HookBody): void {
  current.after.push(body);
}
export function beforeEach(body: HookBody): void {
  current.beforeEach.push(body);
}
export function afterEach(body: HookBody): void {
  current.afterEach.push(body);
}

// The subset of node:test's TestContext that makes sense here.
export class TestContext {
  readonly name: string;
  skipped = false;
  readonly #path: string[];
  readonly #counts: Counts;

  constructor(path: string[], counts: Counts) {
    this.name = path[path.length - 1] ?? "";
    this.#path = path;
    this.#counts = counts;
  }

  skip(_message?: string): void {
    this.skipped = true;
  }

  todo(_message?: string): void {
    this.skipped = true;
  }

  diagnostic(message: string): void {
    if (print) print(`# ${this.name}: ${message}`);
  }

  // A subtest runs at once and is reported on its own line.
  async test(...args: unknown[]): Promise<void> {
    await runTest(newTestEntry(args, "run"), this.#path, [], [], this.#counts);
  }
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

// node:test tells a callback-style test, (t, done) => ..., from its body.length. A Moddable app
// strips functions' length and name ("strip": "*"), so this harness never reads them: it runs the
// body and awaits what it returns. No test of ours takes `done`; one that does is failed by name
// when it calls done() (write it to return a promise instead), rather than passing unawaited.
const CALLBACK_STYLE = "callback-style tests, (t, done) => ..., are not supported (a Moddable app strips functions' length): return a promise instead";

async function callBody(body: TestBody, context: TestContext, name: string[], counts: Counts): Promise<void> {
  let ended = false;
  let doneCalled = false;
  const done: Done = () => {
    if (!ended) {
      doneCalled = true;
      return;
    }
    // Called after the test was reported: count it as a failure of its own, so it is not lost.
    counts.failed++;
    report({ type: "test", name: [...name, "done() called after the test ended"], status: "fail", message: CALLBACK_STYLE });
  };
  try {
    await body(context, done);
  } finally {
    ended = true;
  }
  if (doneCalled) throw new Error(CALLBACK_STYLE);
}

async function runHooks(hooks: HookBody[]): Promise<void> {
  for (const hook of hooks) await hook();
}

async function runTest(entry: TestEntry, parentPath: string[], beforeEach: HookBody[], afterEach: HookBody[], counts: Counts): Promise<void> {
  const name = [...parentPath, entry.name];
  if (entry.skip || !entry.body) {
    counts.skipped++;
    report({ type: "test", name, status: "skip" });
    return;
  }
  report({ type: "start", name });
  const context = new TestContext(name, counts);
  let failure: unknown;
  let failed = false;
  try {
    await runHooks(beforeEach);
    await callBody(entry.body, context, name, counts);
  } catch (error) {
    failed = true;
    failure = error;
  }
  try {
    await runHooks(afterEach);
  } catch (error) {
    if (!failed) {
      failed = true;
      failure = error;
    }
  }
  if (entry.todo) {
    counts.skipped++;
    report({ type: "test", name, status: "todo", ...(failed ? { message: describeError(failure) } : {}) });
  } else if (failed) {
    counts.failed++;
    report({ type: "test", name, status: "fail", message: describeError(failure) });
  } else if (context.skipped) {
    counts.skipped++;
    report({ type: "test", name, status: "skip" });
  } else {
    counts.passed++;
    report({ type: "test", name, status: "pass" });
  }
}

function failAll(suite: Suite, path: string[], message: string, counts: Counts): void {
  for (const entry of suite.entries) {
    if (entry.kind === "suite") failAll(entry, [...path, entry.name], message, counts);
    else if (!entry.skip) {
      counts.failed++;
      report({ type: "test", name: [...path, entry.name], status: "fail", message });
    }
  }
}

async function runSuite(suite: Suite, path: string[], beforeEach: HookBody[], afterEach: HookBody[], counts: Counts): Promise<void> {
  if (suite.declarationError !== undefined) {
    counts.failed++;
    report({ type: "test", name: path, status: "fail", message: `describe() body failed: ${describeError(suite.declarationError)}` });
  }
  const innerBeforeEach = [...beforeEach, ...suite.beforeEach];
  const innerAfterEach = [...suite.afterEach, ...afterEach];
  const runnable = !suite.skip;
  if (runnable) {
    try {
      await runHooks(suite.before);
    } catch (error) {
      failAll(suite, path, `before() hook failed: ${describeError(error)}`, counts);
      return;
    }
  }
  for (const entry of suite.entries) {
    if (entry.kind === "suite") {
      await runSuite(entry, [...path, entry.name], innerBeforeEach, innerAfterEach, counts);
    } else {
      await runTest(runnable ? entry : { ...entry, skip: true }, path, innerBeforeEach, innerAfterEach, counts);
    }
  }
  if (runnable) {
    try {
      await runHooks(suite.after);
    } catch (error) {
      counts.failed++;
      report({ type: "test", name: [...path, "after() hook"], status: "fail", message: describeError(error) });
    }
  }
}

export async function run(): Promise<void> {
  started = true;
  const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  await runSuite(root, [], [], [], counts);
  report({ type: "done", ...counts });
}

xsGlobals.__xsTestHarness = { run };

export default test;
Object.assign(test, { test, it, describe, suite, before, after, beforeEach, afterEach });
