// Topic names, topic filters and matching (MQTT 5.0 §4.7). No allocation while matching: the
// router calls topicMatches for every subscription on every incoming PUBLISH.
//
// validateTopicName / validateTopicFilter throw MqttProtocolError (0x90 / 0x8F) with the reason;
// isValidTopicName / isValidTopicFilter are the boolean forms.

import { Utf8Error, utf8Length } from "../util/utf8.js";
import { MqttProtocolError, TOPIC_FILTER_INVALID, TOPIC_NAME_INVALID } from "./errors.js";

const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const DOLLAR = 0x24;
const SHARE_PREFIX = "$share/";
// A UTF-8 string field holds at most 65535 bytes.
const MAXIMUM_STRING_BYTES = 65535;
// No string index takes more than 4 bytes of UTF-8 under either string model (a UTF-16 unit takes
// at most 3, a code point at most 4), and none takes less than 1.
const MAXIMUM_BYTES_PER_INDEX = 4;

// XS keeps strings as UTF-8, so s.charCodeAt(i) walks from the start: a charCodeAt loop over a
// long string is quadratic there (65535 characters: ~4 s on the host). Scans below use indexOf,
// which XS runs natively in one pass; utf8Length iterates once. No regular expression: a
// module-level RegExp in a preloaded module crashes the Moddable SDK 8.2.3 engine (docs/testing.md).

/**
 * Why `s` cannot be an MQTT UTF-8 string field (over 65535 bytes, or a lone surrogate), or undefined.
 * Bytes are counted by the UTF-8 encoder, never from `.length`: a Moddable app counts an emoji as 1.
 */
function utf8Problem(s: string, what: string): string | undefined {
  if (s.length > MAXIMUM_STRING_BYTES) return `${what} longer than 65535 bytes`;
  if (s.length * MAXIMUM_BYTES_PER_INDEX <= MAXIMUM_STRING_BYTES) return undefined;
  let bytes: number;
  try {
    bytes = utf8Length(s);
  } catch (error) {
    if (error instanceof Utf8Error) return `${what} is not well-formed: ${error.reason}`;
    throw error;
  }
  return bytes > MAXIMUM_STRING_BYTES ? `${what} longer than 65535 bytes (${bytes} bytes of UTF-8)` : undefined;
}

/** The lower of two indexOf results (-1 when neither found anything). */
function earliest(a: number, b: number): number {
  return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/** Index of the first '+' or '#' in `s` at or after `from`, or -1. */
function nextWildcard(s: string, from: number): number {
  return earliest(s.indexOf("+", from), s.indexOf("#", from));
}

/** Why `topic` is not a valid PUBLISH topic name, or undefined when it is. */
function topicNameProblem(topic: string): string | undefined {
  if (typeof topic !== "string") return `topic name ${String(topic)} is not a string`;
  if (topic.length === 0) return "topic name is empty";
  const tooLong = utf8Problem(topic, "topic name");
  if (tooLong) return tooLong;
  const nul = topic.indexOf("\u0000");
  if (nul >= 0) return `topic name contains U+0000 at index ${nul}`;
  const i = nextWildcard(topic, 0);
  return i < 0 ? undefined : `topic name "${topic}" contains wildcard '${topic[i]}' at index ${i}`;
}

/** Why `filter` is not a valid subscription topic filter, or undefined when it is. */
function topicFilterProblem(filter: string): string | undefined {
  if (typeof filter !== "string") return `topic filter ${String(filter)} is not a string`;
  if (filter.length === 0) return "topic filter is empty";
  const tooLong = utf8Problem(filter, "topic filter");
  if (tooLong) return tooLong;
  const nul = filter.indexOf("\u0000");
  if (nul >= 0) return `topic filter contains U+0000 at index ${nul}`;
  let start = 0;
  if (filter.startsWith(SHARE_PREFIX)) {
    const slash = filter.indexOf("/", SHARE_PREFIX.length);
    if (slash < 0 || slash === SHARE_PREFIX.length) return `shared subscription "${filter}" needs "$share/<name>/<filter>"`;
    const wildcard = nextWildcard(filter, SHARE_PREFIX.length);
    if (wildcard >= 0 && wildcard < slash) return `share name in "${filter}" contains a wildcard`;
    start = slash + 1;
    if (start === filter.length) return `shared subscription "${filter}" has an empty filter`;
  }
  for (let i = nextWildcard(filter, start); i >= 0; i = nextWildcard(filter, i + 1)) {
    const c = filter.charCodeAt(i);
    const alone = (i === start || filter.charCodeAt(i - 1) === SLASH) && (i + 1 === filter.length || filter.charCodeAt(i + 1) === SLASH);
    if (!alone) return `wildcard '${filter[i]}' at index ${i} of "${filter}" does not occupy a whole level`;
    if (c === HASH && i + 1 !== filter.length) return `'#' at index ${i} of "${filter}" is not the last level`;
  }
  return undefined;
}

export function isValidTopicName(topic: string): boolean {
  return topicNameProblem(topic) === undefined;
}

export function isValidTopicFilter(filter: string): boolean {
  return topicFilterProblem(filter) === undefined;
}

/** Throws MqttProtocolError 0x90 (topic name invalid) saying why. */
export function validateTopicName(topic: string): void {
  const problem = topicNameProblem(topic);
  if (problem !== undefined) throw new MqttProtocolError(TOPIC_NAME_INVALID, problem);
}

/** Throws MqttProtocolError 0x8F (topic filter invalid) saying why. */
export function validateTopicFilter(filter: string): void {
  const problem = topicFilterProblem(filter);
  if (problem !== undefined) throw new MqttProtocolError(TOPIC_FILTER_INVALID, problem);
}

/**
 * Whether `topic` (a topic name) matches `filter`. '+' matches one whole level, a final '#' matches
 * the parent level and everything below; topics starting with '$' are not matched by a filter that
 * starts with a wildcard. A shared subscription "$share/<name>/<filter>" matches like <filter>.
 * Inputs are assumed valid (see validateTopicName/Filter); invalid ones simply do not match.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.length === 0) return false;
  let f = 0;
  if (filter.startsWith(SHARE_PREFIX)) {
    const slash = filter.indexOf("/", SHARE_PREFIX.length);
    if (slash < 0) return false;
    f = slash + 1;
  }
  if (f >= filter.length) return false;
  if (topic.charCodeAt(0) === DOLLAR) {
    const first = filter.charCodeAt(f);
    if (first === PLUS || first === HASH) return false;
  }
  let t = 0;
  for (;;) {
    // f and t are at the start of a level in the filter and in the topic.
    let filterEnd = filter.indexOf("/", f);
    if (filterEnd < 0) filterEnd = filter.length;
    const filterLevelLength = filterEnd - f;
    if (filterLevelLength === 1 && filter.charCodeAt(f) === HASH) return true;
    let topicEnd = topic.indexOf("/", t);
    if (topicEnd < 0) topicEnd = topic.length;
    if (!(filterLevelLength === 1 && filter.charCodeAt(f) === PLUS)) {
      if (topicEnd - t !== filterLevelLength) return false;
      for (let i = 0; i < filterLevelLength; i++) {
        if (filter.charCodeAt(f + i) !== topic.charCodeAt(t + i)) return false;
      }
    }
    const filterDone = filterEnd === filter.length;
    const topicDone = topicEnd === topic.length;
    if (filterDone) return topicDone;
    if (topicDone) {
      // "a/#" also matches "a": only a last level of exactly "#" may remain.
      return filterEnd + 2 === filter.length && filter.charCodeAt(filterEnd + 1) === HASH;
    }
    f = filterEnd + 1;
    t = topicEnd + 1;
  }
}
