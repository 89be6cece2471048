// Stand-in for `node:assert/strict` inside XS (test/xs/run.mjs maps `node:assert` and
// `node:assert/strict` here when bundling a test file). Strict semantics throughout: equal is
// Object.is, deepEqual is deepStrictEqual (same prototypes, -0 differs from 0, NaN equals NaN).
// Failure messages show actual vs expected compactly and, for deep comparisons, where they differ.
// (Over 400 lines: the part of node:assert the tests use, with strict deep equality written out.)

export class AssertionError extends Error {
  // A field: the XS tier freezes Error.prototype as a Moddable app does, so `this.name = ` would throw.
  override readonly name = "AssertionError";
  readonly code = "ERR_ASSERTION";
  readonly actual: unknown;
  readonly expected: unknown;
  readonly operator: string;

  constructor(options: { message: string; actual?: unknown; expected?: unknown; operator: string }) {
    super(options.message);
    this.actual = options.actual;
    this.expected = options.expected;
    this.operator = options.operator;
  }
}

type Message = string | Error | undefined;
// Anything `new`-able: the `throws(fn, SomeErrorClass)` form. Constructor parameters are unknown.
type ErrorClass = abstract new (...args: never[]) => unknown;
type ErrorValidator = ((error: unknown) => boolean) | ErrorClass | RegExp | object;

// ---------------------------------------------------------------------------------------------
// Compact rendering of values for messages.

const maxItems = 12;
const maxString = 120;

export function inspect(value: unknown, depth = 2, seen: object[] = []): string {
  switch (typeof value) {
    case "string":
      return value.length > maxString ? `${JSON.stringify(value.slice(0, maxString))}… (${value.length} chars)` : JSON.stringify(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "undefined":
      return "undefined";
    case "boolean":
      return String(value);
    case "function":
      // No name: a Moddable app strips functions' names ("strip": "*").
      return "[Function]";
  }
  if (value === null) return "null";
  const object = value as object;
  if (seen.includes(object)) return "[Circular]";
  const inner = (item: unknown): string => inspect(item, depth - 1, [...seen, object]);
  const list = (items: string[], total: number): string =>
    total > items.length ? `${items.join(", ")}, … ${total - items.length} more` : items.join(", ");

  if (object instanceof ArrayBuffer) return `ArrayBuffer(${object.byteLength}) <${hexBytes(new Uint8Array(object))}>`;
  if (object instanceof DataView) {
    return `DataView(${object.byteLength}) <${hexBytes(new Uint8Array(object.buffer, object.byteOffset, object.byteLength))}>`;
  }
  if (ArrayBuffer.isView(object)) {
    const view = object as unknown as ArrayLike<number | bigint>;
    const items: string[] = [];
    for (let i = 0; i < Math.min(view.length, maxItems); i++) items.push(inspect(view[i]));
    return `${constructorName(object)}(${view.length}) [${list(items, view.length)}]`;
  }
  if (object instanceof Error) return `${object.name}: ${object.message}`;
  if (object instanceof Date) return `Date(${Number.isNaN(object.getTime()) ? "Invalid" : object.toISOString()})`;
  if (object instanceof RegExp) return String(object);
  if (Array.isArray(object)) {
    if (depth < 0) return `[Array(${object.length})]`;
    const items: string[] = [];
    for (let i = 0; i < Math.min(object.length, maxItems); i++) items.push(inner(object[i]));
    return `[${list(items, object.length)}]`;
  }
  if (object instanceof Map) {
    if (depth < 0) return `[Map(${object.size})]`;
    const items: string[] = [];
    for (const [key, item] of object) {
      if (items.length === maxItems) break;
      items.push(`${inner(key)} => ${inner(item)}`);
    }
    return `Map(${object.size}) {${object.size ? ` ${list(items, object.size)} ` : ""}}`;
  }
  if (object instanceof Set) {
    if (depth < 0) return `[Set(${object.size})]`;
    const items: string[] = [];
    for (const item of object) {
      if (items.length === maxItems) break;
      items.push(inner(item));
    }
    return `Set(${object.size}) {${object.size ? ` ${list(items, object.size)} ` : ""}}`;
  }
  const name = constructorName(object);
  const prefix = name === "Object" ? "" : `${name} `;
  if (depth < 0) return `[${name}]`;
  const keys = Object.keys(object);
  const record = object as Record<string, unknown>;
  const items = keys.slice(0, maxItems).map((key) => `${propertyName(key)}: ${inner(record[key])}`);
  return keys.length ? `${prefix}{ ${list(items, keys.length)} }` : `${prefix}{}`;
}

function hexBytes(bytes: Uint8Array): string {
  const shown: string[] = [];
  for (let i = 0; i < Math.min(bytes.length, 32); i++) shown.push(bytes[i]!.toString(16).padStart(2, "0"));
  return bytes.length > 32 ? `${shown.join(" ")} … ${bytes.length - 32} more` : shown.join(" ");
}

// A Moddable app strips Function.prototype.name and length ("strip": "*"), so classes are never
// named from `ctor.name`: the built-ins are recognised by identity, other classes by a
// Symbol.toStringTag their prototype declares; the rest are shown as "(class instance)", the same
// on every engine.
const BUILT_IN_CLASSES = new Map<unknown, string>([
  [Object, "Object"], [Array, "Array"], [Map, "Map"], [Set, "Set"], [WeakMap, "WeakMap"], [WeakSet, "WeakSet"],
  [Date, "Date"], [RegExp, "RegExp"], [Promise, "Promise"], [ArrayBuffer, "ArrayBuffer"], [DataView, "DataView"],
  [Int8Array, "Int8Array"], [Uint8Array, "Uint8Array"], [Uint8ClampedArray, "Uint8ClampedArray"],
  [Int16Array, "Int16Array"], [Uint16Array, "Uint16Array"], [Int32Array, "Int32Array"], [Uint32Array, "Uint32Array"],
  [Float32Array, "Float32Array"], [Float64Array, "Float64Array"], [BigInt64Array, "BigInt64Array"],
  [BigUint64Array, "BigUint64Array"], [Error, "Error"], [TypeError, "TypeError"], [RangeError, "RangeError"],
  [SyntaxError, "SyntaxError"], [ReferenceError, "ReferenceError"], [EvalError, "EvalError"], [URIError, "URIError"],
  [AggregateError, "AggregateError"], [Number, "Number"], [String, "String"], [Boolean, "Boolean"],
]);

/** The name of a class without reading its `name`, or undefined when it cannot be told. */
function className(ctor: unknown): string | undefined {
  const known = BUILT_IN_CLASSES.get(ctor);
  if (known !== undefined) return known;
  const prototype: unknown = typeof ctor === "function" ? (ctor as { prototype?: unknown }).prototype : undefined;
  if (typeof prototype !== "object" || prototype === null) return undefined;
  const tag: unknown = (prototype as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  return typeof tag === "string" ? tag : undefined;
}

function constructorName(object: object): string {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype === null) return "[Object: null prototype]";
  return className((prototype as { constructor?: unknown }).constructor) ?? "(class instance)";
}

function propertyName(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

// ---------------------------------------------------------------------------------------------
// Deep strict comparison: returns undefined when equal, otherwise where and how they differ.

interface Difference {
  path: string;
  actual: unknown;
  expected: unknown;
  reason: string;
}

function describeDifference(difference: Difference): string {
  const where = difference.path === "" ? "at the top" : `at ${difference.path}`;
  return `first difference ${where}: ${difference.reason}`;
}

function differ(path: string, actual: unknown, expected: unknown, reason?: string): Difference {
  return { path, actual, expected, reason: reason ?? `${inspect(actual, 0)} !== ${inspect(expected, 0)}` };
}

// Paths are built only once a difference is found (`within` prefixes each level's key on the way out):
// building one per element compared made deepEqual of a 5,000-item array take seconds in XS.
function findDifference(actual: unknown, expected: unknown, inProgress = new Map<object, object[]>()): Difference | undefined {
  if (Object.is(actual, expected)) return undefined;
  if (typeof actual !== "object" || typeof expected !== "object" || actual === null || expected === null) {
    return differ("", actual, expected);
  }
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) {
    return differ("", actual, expected, `different types: ${constructorName(actual)} vs ${constructorName(expected)}`);
  }
  // A pair already being compared higher up (a cycle) counts as equal here.
  const pending = inProgress.get(actual);
  if (pending?.includes(expected)) return undefined;
  inProgress.set(actual, [...(pending ?? []), expected]);
  try {
    return compareObjects(actual, expected, inProgress);
  } finally {
    pending ? inProgress.set(actual, pending) : inProgress.delete(actual);
  }
}

/** `difference`, found inside the part `segment` of the values compared. */
function within(segment: string, difference: Difference): Difference {
  return { ...difference, path: segment + difference.path };
}

function compareObjects(actual: object, expected: object, inProgress: Map<object, object[]>): Difference | undefined {
  if (actual instanceof ArrayBuffer) return compareBytes(new Uint8Array(actual), new Uint8Array(expected as ArrayBuffer));
  if (actual instanceof DataView) {
    const other = expected as DataView;
    return compareBytes(
      new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength),
      new Uint8Array(other.buffer, other.byteOffset, other.byteLength),
    );
  }
  if (ArrayBuffer.isView(actual)) {
    const a = actual as unknown as ArrayLike<unknown>;
    const b = expected as unknown as ArrayLike<unknown>;
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!Object.is(a[i], b[i])) return differ(`[${i}]`, a[i], b[i]);
    }
    return a.length === b.length ? undefined : lengthDifference(a, b);
  }
  if (actual instanceof Date) {
    const same = Object.is(actual.getTime(), (expected as Date).getTime());
    return same ? undefined : differ("", actual, expected);
  }
  if (actual instanceof RegExp) {
    const other = expected as RegExp;
    const same = actual.source === other.source && actual.flags === other.flags && actual.lastIndex === other.lastIndex;
    if (!same) return differ("", actual, expected);
  }
  if (actual instanceof Error) {
    const other = expected as Error;
    if (actual.name !== other.name) return differ(".name", actual.name, other.name);
    if (actual.message !== other.message) return differ(".message", actual.message, other.message);
  }
  if (isBoxedPrimitive(actual)) {
    const a: unknown = actual.valueOf();
    const b: unknown = (expected as { valueOf(): unknown }).valueOf();
    if (!Object.is(a, b)) return differ("", actual, expected);
  }
  if (actual instanceof WeakMap || actual instanceof WeakSet || actual instanceof Promise) {
    return differ("", actual, expected, `${constructorName(actual)} objects are only equal to themselves`);
  }
  if (actual instanceof Map) return compareMaps(actual, expected as Map<unknown, unknown>, inProgress);
  if (actual instanceof Set) return compareSets(actual, expected as Set<unknown>, inProgress);
  if (Array.isArray(actual)) {
    const other = expected as unknown[];
    if (actual.length !== other.length) {
      for (let i = 0; i < Math.min(actual.length, other.length); i++) {
        const difference = findDifference(actual[i], other[i], inProgress);
        if (difference) return within(`[${i}]`, difference);
      }
      return lengthDifference(actual, other);
    }
    // Arrays without holes or other own keys, what tests compare: item by item, without asking each
    // index whether it is enumerable on both sides (most of the time of a large deepEqual in XS).
    if (Object.keys(actual).length === actual.length && Object.keys(other).length === other.length && Object.getOwnPropertySymbols(actual).length === 0 && Object.getOwnPropertySymbols(other).length === 0) {
      for (let i = 0; i < actual.length; i++) {
        // A hole means a named key made up the count: the general comparison names the difference.
        if (!(i in actual) || !(i in other)) return compareOwnProperties(actual, expected, inProgress);
        const difference = findDifference(actual[i], other[i], inProgress);
        if (difference) return within(`[${i}]`, difference);
      }
      return undefined;
    }
  }
  return compareOwnProperties(actual, expected, inProgress);
}

function isBoxedPrimitive(value: object): value is { valueOf(): unknown } {
  return value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt || value instanceof Symbol;
}

// Same items up to the shorter length: name the first extra one.
function lengthDifference(a: ArrayLike<unknown>, b: ArrayLike<unknown>): Difference {
  const shared = Math.min(a.length, b.length);
  const extra = a.length > b.length ? `actual has extra ${inspect(a[shared], 0)}` : `actual lacks ${inspect(b[shared], 0)}`;
  return differ("", a, b, `length ${a.length} vs ${b.length}: at [${shared}] ${extra}`);
}

function compareBytes(a: Uint8Array, b: Uint8Array): Difference | undefined {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return differ(`[byte ${i}]`, a[i], b[i]);
  }
  return a.length === b.length ? undefined : lengthDifference(a, b);
}

function enumerableOwnKeys(object: object): (string | symbol)[] {
  const symbols = Object.getOwnPropertySymbols(object).filter((symbol) => Object.prototype.propertyIsEnumerable.call(object, symbol));
  return [...Object.keys(object), ...symbols];
}

function keySegment(key: string | symbol, isArray: boolean): string {
  if (typeof key === "symbol") return `[${key.toString()}]`;
  if (isArray && /^\d+$/.test(key)) return `[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function compareOwnProperties(actual: object, expected: object, inProgress: Map<object, object[]>): Difference | undefined {
  const actualKeys = enumerableOwnKeys(actual);
  const expectedKeys = enumerableOwnKeys(expected);
  const isArray = Array.isArray(actual);
  const a = actual as Record<string | symbol, unknown>;
  const b = expected as Record<string | symbol, unknown>;
  for (const key of expectedKeys) {
    if (!Object.prototype.propertyIsEnumerable.call(actual, key)) {
      return differ(keySegment(key, isArray), undefined, b[key], `missing in actual (expected ${inspect(b[key], 0)})`);
    }
  }
  for (const key of actualKeys) {
    if (!Object.prototype.propertyIsEnumerable.call(expected, key)) {
      return differ(keySegment(key, isArray), a[key], undefined, `unexpected in actual (${inspect(a[key], 0)})`);
    }
  }
  for (const key of expectedKeys) {
    const difference = findDifference(a[key], b[key], inProgress);
    if (difference) return within(keySegment(key, isArray), difference);
  }
  return undefined;
}

function compareMaps(actual: Map<unknown, unknown>, expected: Map<unknown, unknown>, inProgress: Map<object, object[]>): Difference | undefined {
  if (actual.size !== expected.size) return differ("", actual, expected, `size ${actual.size} vs ${expected.size}`);
  for (const [key, value] of actual) {
    const entryPath = () => `.get(${inspect(key, 0)})`;
    if (expected.has(key)) {
      const difference = findDifference(value, expected.get(key), inProgress);
      if (difference) return within(entryPath(), difference);
      continue;
    }
    // Object keys: look for a deeply equal key whose value is also deeply equal.
    let matched = false;
    if (typeof key === "object" && key !== null) {
      for (const [otherKey, otherValue] of expected) {
        if (!findDifference(key, otherKey, inProgress) && !findDifference(value, otherValue, inProgress)) {
          matched = true;
          break;
        }
      }
    }
    if (!matched) return differ(entryPath(), value, undefined, `key ${inspect(key, 0)} missing in expected`);
  }
  return undefined;
}

function compareSets(actual: Set<unknown>, expected: Set<unknown>, inProgress: Map<object, object[]>): Difference | undefined {
  if (actual.size !== expected.size) return differ("", actual, expected, `size ${actual.size} vs ${expected.size}`);
  for (const item of actual) {
    if (expected.has(item)) continue;
    let matched = false;
    if (typeof item === "object" && item !== null) {
      for (const other of expected) {
        if (!findDifference(item, other, inProgress)) {
          matched = true;
          break;
        }
      }
    }
    if (!matched) return differ("", item, undefined, `${inspect(item, 0)} missing in expected`);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The assertions.

function fail_(operator: string, generated: string, message: Message, actual?: unknown, expected?: unknown): never {
  if (message instanceof Error) throw message;
  const text = message === undefined ? generated : `${message}\n${generated}`;
  throw new AssertionError({ message: text, actual, expected, operator });
}

function actualExpected(actual: unknown, expected: unknown): string {
  return `  actual:   ${inspect(actual)}\n  expected: ${inspect(expected)}`;
}

export function ok(value: unknown, message?: Message): asserts value {
  if (!value) fail_("==", `The expression evaluated to a falsy value: ${inspect(value)}`, message, value, true);
}

export function equal<T>(actual: unknown, expected: T, message?: Message): asserts actual is T {
  if (!Object.is(actual, expected)) {
    fail_("strictEqual", `Expected values to be strictly equal:\n${actualExpected(actual, expected)}`, message, actual, expected);
  }
}

export function notEqual(actual: unknown, expected: unknown, message?: Message): void {
  if (Object.is(actual, expected)) {
    fail_("notStrictEqual", `Expected values to be strictly unequal, both are ${inspect(actual)}`, message, actual, expected);
  }
}

export function deepEqual<T>(actual: unknown, expected: T, message?: Message): asserts actual is T {
  const difference = findDifference(actual, expected);
  if (difference) {
    const generated = `Expected values to be deeply equal (strict):\n${actualExpected(actual, expected)}\n  ${describeDifference(difference)}`;
    fail_("deepStrictEqual", generated, message, actual, expected);
  }
}

export function notDeepEqual(actual: unknown, expected: unknown, message?: Message): void {
  if (!findDifference(actual, expected)) {
    fail_("notDeepStrictEqual", `Expected values not to be deeply equal, both are ${inspect(actual)}`, message, actual, expected);
  }
}

export function match(value: string, pattern: RegExp, message?: Message): void {
  if (typeof value !== "string" || !pattern.test(value)) {
    fail_("match", `The input did not match the regular expression ${String(pattern)}. Input: ${inspect(value)}`, message, value, pattern);
  }
}

export function doesNotMatch(value: string, pattern: RegExp, message?: Message): void {
  if (typeof value !== "string" || pattern.test(value)) {
    fail_("doesNotMatch", `The input was expected not to match ${String(pattern)}. Input: ${inspect(value)}`, message, value, pattern);
  }
}

export function fail(message?: Message): never {
  if (message instanceof Error) throw message;
  throw new AssertionError({ message: message ?? "Failed", operator: "fail" });
}

export function ifError(value: unknown): void {
  if (value !== null && value !== undefined) {
    if (value instanceof Error) throw value;
    fail_("ifError", `ifError got unwanted value: ${inspect(value)}`, undefined, value, null);
  }
}

function isErrorClass(candidate: unknown): candidate is ErrorClass {
  return typeof candidate === "function" && (candidate === Error || Object.prototype.isPrototypeOf.call(Error, candidate));
}

// Node's rules: a class is checked with instanceof; any other function is a validator that must
// return true; a RegExp is tested against String(error); an object's own properties must all match
// (RegExp values are tested against string properties, others compared deeply).
function checkError(operator: string, error: unknown, expected: ErrorValidator | string | undefined, message: Message): void {
  if (expected === undefined || typeof expected === "string") return;
  if (expected instanceof RegExp) {
    if (!expected.test(String(error))) {
      fail_(operator, `The error did not match the regular expression ${String(expected)}. Error: ${inspect(error)}`, message, error, expected);
    }
    return;
  }
  if (typeof expected === "function") {
    const prototype: unknown = (expected as { prototype?: unknown }).prototype;
    if (prototype !== undefined && error instanceof (expected as ErrorClass)) return;
    if (isErrorClass(expected)) {
      fail_(operator, `The error is expected to be an instance of ${className(expected) ?? "the expected class"}. Received ${inspect(error)}`, message, error, expected);
    }
    const verdict: unknown = (expected as (error: unknown) => unknown)(error);
    if (verdict !== true) {
      fail_(operator, `The validation function is expected to return true. Received ${inspect(verdict)} for ${inspect(error)}`, message, error, expected);
    }
    return;
  }
  if (typeof error !== "object" || error === null) {
    fail_(operator, `The thrown value is not an object: ${inspect(error)}`, message, error, expected);
  }
  const actualRecord = error as Record<string, unknown>;
  for (const key of Object.keys(expected)) {
    const want = (expected as Record<string, unknown>)[key];
    const got = actualRecord[key];
    if (want instanceof RegExp && typeof got === "string") {
      if (!want.test(got)) fail_(operator, `error.${key} ${inspect(got)} does not match ${String(want)}`, message, error, expected);
      continue;
    }
    const difference = findDifference(got, want);
    if (difference) {
      fail_(operator, `error.${key} differs:\n${actualExpected(got, want)}\n  ${describeDifference(difference)}`, message, error, expected);
    }
  }
}

function splitMessage(expected: ErrorValidator | string | undefined, message: Message): Message {
  return typeof expected === "string" ? expected : message;
}

function expectedLabel(expected: ErrorValidator | string | undefined): string {
  const name = typeof expected === "function" ? className(expected) : undefined;
  if (name !== undefined) return ` (${name})`;
  if (expected instanceof RegExp) return ` matching ${String(expected)}`;
  return "";
}

export function throws(fn: () => unknown, expected?: ErrorValidator | string, message?: Message): void {
  if (typeof fn !== "function") throw new TypeError(`throws: the first argument must be a function, got ${inspect(fn)}`);
  let error: unknown;
  try {
    fn();
  } catch (caught) {
    error = caught;
    checkError("throws", error, expected, splitMessage(expected, message));
    return;
  }
  fail_("throws", `Missing expected exception${expectedLabel(expected)}.`, splitMessage(expected, message));
}

export function doesNotThrow(fn: () => unknown, message?: Message): void {
  try {
    fn();
  } catch (error) {
    fail_("doesNotThrow", `Got unwanted exception: ${inspect(error)}`, message, error);
  }
}

export async function rejects(
  promiseOrFn: Promise<unknown> | (() => Promise<unknown>),
  expected?: ErrorValidator | string,
  message?: Message,
): Promise<void> {
  const promise = typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn;
  if (!promise || typeof (promise as { then?: unknown }).then !== "function") {
    throw new TypeError(`rejects: expected a promise or a function returning one, got ${inspect(promise)}`);
  }
  try {
    await promise;
  } catch (error) {
    checkError("rejects", error, expected, splitMessage(expected, message));
    return;
  }
  fail_("rejects", `Missing expected rejection${expectedLabel(expected)}.`, splitMessage(expected, message));
}

export async function doesNotReject(promiseOrFn: Promise<unknown> | (() => Promise<unknown>), message?: Message): Promise<void> {
  try {
    await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    fail_("doesNotReject", `Got unwanted rejection: ${inspect(error)}`, message, error);
  }
}

// The default export is callable like node's `assert(value, message)` and carries every assertion.
function assert(value: unknown, message?: Message): asserts value {
  ok(value, message);
}
assert.ok = ok;
assert.equal = equal;
assert.strictEqual = equal;
assert.notEqual = notEqual;
assert.notStrictEqual = notEqual;
assert.deepEqual = deepEqual;
assert.deepStrictEqual = deepEqual;
assert.notDeepEqual = notDeepEqual;
assert.notDeepStrictEqual = notDeepEqual;
assert.match = match;
assert.doesNotMatch = doesNotMatch;
assert.throws = throws;
assert.doesNotThrow = doesNotThrow;
assert.rejects = rejects;
assert.doesNotReject = doesNotReject;
assert.fail = fail;
assert.ifError = ifError;
assert.AssertionError = AssertionError;
assert.strict = assert;

export { equal as strictEqual, notEqual as notStrictEqual, deepEqual as deepStrictEqual, notDeepEqual as notDeepStrictEqual, assert as strict };
export default assert;
