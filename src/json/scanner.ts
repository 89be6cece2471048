// What the tokenizer's loop and its native twin (JsonKernels.createScanner, hosts/moddable/native/json_scanner.c)
// share: the events a JsonScanner's read() returns (its result's low 4 bits, as json_kernels.h
// JSON_EVENT_*), and the tokenizer's own errors, built by the same functions on both paths so that the
// messages are the same (the string errors are in strings.ts, likewise).

import { JsonError } from "./errors.js";
import { describeByte } from "./strings.js";

/** The chunk is used up. */
export const EVENT_NONE = 0;
export const EVENT_BEGIN_OBJECT = 1;
export const EVENT_END_OBJECT = 2;
export const EVENT_BEGIN_ARRAY = 3;
export const EVENT_END_ARRAY = 4;
export const EVENT_KEY = 5;
export const EVENT_STRING = 6;
export const EVENT_NUMBER = 7;
export const EVENT_TRUE = 8;
export const EVENT_FALSE = 9;
export const EVENT_NULL = 10;

/** The literals by their index in native faults (0 true, 1 false, 2 null). */
export const LITERAL_WORDS: readonly string[] = Object.freeze(["true", "false", "null"]);

export function expectedKeyError(byte: number, offset: number): JsonError {
  return new JsonError("syntax", `expected a key, found ${describeByte(byte)}`, offset);
}
export function expectedColonError(byte: number, offset: number): JsonError {
  return new JsonError("syntax", `expected ':', found ${describeByte(byte)}`, offset);
}
export function expectedCommaError(byte: number, offset: number): JsonError {
  return new JsonError("syntax", `expected ',' or a closing bracket, found ${describeByte(byte)}`, offset);
}
export function trailingError(byte: number, offset: number): JsonError {
  return new JsonError("syntax", `unexpected ${describeByte(byte)} after the JSON value`, offset);
}
export function expectedValueError(byte: number, offset: number): JsonError {
  return new JsonError("syntax", `expected a value, found ${describeByte(byte)}`, offset);
}
/** A closing bracket of the wrong kind: `object` for '}' (which then closes an array). */
export function mismatchedCloseError(object: boolean, offset: number): JsonError {
  return new JsonError("syntax", object ? "'}' closes an array" : "']' closes an object", offset);
}
export function literalError(word: string, offset: number): JsonError {
  return new JsonError("syntax", `invalid literal (expected '${word}')`, offset);
}
export function depthError(maxDepth: number, offset: number): JsonError {
  return new JsonError("depth", `nesting deeper than ${maxDepth} levels`, offset);
}
export function truncatedError(empty: boolean, offset: number): JsonError {
  return new JsonError("truncated", empty ? "no JSON value in the input" : "the input ended inside a value", offset);
}
