// MQTT 5 properties (§2.2.2): one table of identifiers, wire types and allowed ranges, and for each
// packet the identifiers it may carry. Encoding and decoding are driven by the same table.

import { MALFORMED_PACKET, PACKET_TOO_LARGE, PROTOCOL_ERROR } from "./errors.js";
import type { UserProperty } from "./packets.js";
import { MAXIMUM_VARIABLE_BYTE_INTEGER, type ByteSink, type PacketReader } from "./wire.js";

/** How a property is represented on the wire and in the packet objects of packets.ts. */
type PropertyKind =
  | "byte" // Byte, as a number
  | "boolean" // Byte 0/1, as a boolean
  | "twoByte"
  | "fourByte"
  | "variableByteInteger"
  | "variableByteIntegerList" // Subscription Identifier on PUBLISH: may repeat, kept as number[]
  | "string"
  | "binary"
  | "userProperties"; // UTF-8 String Pair, repeats, kept as [name, value][] in order

interface PropertySpec {
  readonly id: number;
  readonly key: string;
  readonly kind: PropertyKind;
  readonly minimum: number;
  readonly maximum: number;
}

function spec(id: number, key: string, kind: PropertyKind, minimum = 0, maximum?: number): PropertySpec {
  const widest = kind === "twoByte" ? 0xffff : kind === "fourByte" ? 0xffff_ffff : kind.startsWith("variable") ? MAXIMUM_VARIABLE_BYTE_INTEGER : 0xff;
  return Object.freeze({ id, key, kind, minimum, maximum: maximum ?? widest });
}

const PAYLOAD_FORMAT_INDICATOR = spec(0x01, "payloadFormatIndicator", "byte", 0, 1);
const MESSAGE_EXPIRY_INTERVAL = spec(0x02, "messageExpiryInterval", "fourByte");
const CONTENT_TYPE = spec(0x03, "contentType", "string");
const RESPONSE_TOPIC = spec(0x08, "responseTopic", "string");
const CORRELATION_DATA = spec(0x09, "correlationData", "binary");
const SUBSCRIPTION_IDENTIFIERS = spec(0x0b, "subscriptionIdentifiers", "variableByteIntegerList", 1);
const SUBSCRIPTION_IDENTIFIER = spec(0x0b, "subscriptionIdentifier", "variableByteInteger", 1);
const SESSION_EXPIRY_INTERVAL = spec(0x11, "sessionExpiryInterval", "fourByte");
const ASSIGNED_CLIENT_IDENTIFIER = spec(0x12, "assignedClientIdentifier", "string");
const SERVER_KEEP_ALIVE = spec(0x13, "serverKeepAlive", "twoByte");
const AUTHENTICATION_METHOD = spec(0x15, "authenticationMethod", "string");
const AUTHENTICATION_DATA = spec(0x16, "authenticationData", "binary");
const REQUEST_PROBLEM_INFORMATION = spec(0x17, "requestProblemInformation", "byte", 0, 1);
const WILL_DELAY_INTERVAL = spec(0x18, "willDelayInterval", "fourByte");
const REQUEST_RESPONSE_INFORMATION = spec(0x19, "requestResponseInformation", "byte", 0, 1);
const RESPONSE_INFORMATION = spec(0x1a, "responseInformation", "string");
const SERVER_REFERENCE = spec(0x1c, "serverReference", "string");
const REASON_STRING = spec(0x1f, "reasonString", "string");
const RECEIVE_MAXIMUM = spec(0x21, "receiveMaximum", "twoByte", 1);
const TOPIC_ALIAS_MAXIMUM = spec(0x22, "topicAliasMaximum", "twoByte");
const TOPIC_ALIAS = spec(0x23, "topicAlias", "twoByte", 1);
const MAXIMUM_QOS = spec(0x24, "maximumQoS", "byte", 0, 1);
const RETAIN_AVAILABLE = spec(0x25, "retainAvailable", "boolean");
const USER_PROPERTIES = spec(0x26, "userProperties", "userProperties");
const MAXIMUM_PACKET_SIZE = spec(0x27, "maximumPacketSize", "fourByte", 1);
const WILDCARD_SUBSCRIPTION_AVAILABLE = spec(0x28, "wildcardSubscriptionAvailable", "boolean");
const SUBSCRIPTION_IDENTIFIERS_AVAILABLE = spec(0x29, "subscriptionIdentifiersAvailable", "boolean");
const SHARED_SUBSCRIPTION_AVAILABLE = spec(0x2a, "sharedSubscriptionAvailable", "boolean");

const ALL_SPECS = Object.freeze([
  PAYLOAD_FORMAT_INDICATOR, MESSAGE_EXPIRY_INTERVAL, CONTENT_TYPE, RESPONSE_TOPIC, CORRELATION_DATA,
  SUBSCRIPTION_IDENTIFIER, SESSION_EXPIRY_INTERVAL, ASSIGNED_CLIENT_IDENTIFIER, SERVER_KEEP_ALIVE,
  AUTHENTICATION_METHOD, AUTHENTICATION_DATA, REQUEST_PROBLEM_INFORMATION, WILL_DELAY_INTERVAL,
  REQUEST_RESPONSE_INFORMATION, RESPONSE_INFORMATION, SERVER_REFERENCE, REASON_STRING, RECEIVE_MAXIMUM,
  TOPIC_ALIAS_MAXIMUM, TOPIC_ALIAS, MAXIMUM_QOS, RETAIN_AVAILABLE, USER_PROPERTIES, MAXIMUM_PACKET_SIZE,
  WILDCARD_SUBSCRIPTION_AVAILABLE, SUBSCRIPTION_IDENTIFIERS_AVAILABLE, SHARED_SUBSCRIPTION_AVAILABLE,
]);
const HIGHEST_ID = 0x2a;

/** The properties one packet (or the Will) may carry, indexed by identifier for the decoder. */
export interface PropertyContext {
  readonly label: string;
  readonly specs: readonly PropertySpec[];
  readonly byId: readonly (PropertySpec | undefined)[];
}

// Tables of preloaded modules stay in flash only when frozen (see util/freeze.ts).
function context(label: string, specs: readonly PropertySpec[]): PropertyContext {
  const byId: (PropertySpec | undefined)[] = [];
  for (let id = 0; id <= HIGHEST_ID; id++) byId.push(undefined);
  for (const entry of specs) byId[entry.id] = entry;
  return Object.freeze({ label, specs: Object.freeze(specs), byId: Object.freeze(byId) });
}

const MESSAGE = Object.freeze([PAYLOAD_FORMAT_INDICATOR, MESSAGE_EXPIRY_INTERVAL, CONTENT_TYPE, RESPONSE_TOPIC, CORRELATION_DATA, USER_PROPERTIES]);
const ACK = Object.freeze([REASON_STRING, USER_PROPERTIES]);

export const CONNECT_PROPERTIES = context("CONNECT", [
  SESSION_EXPIRY_INTERVAL, RECEIVE_MAXIMUM, MAXIMUM_PACKET_SIZE, TOPIC_ALIAS_MAXIMUM, REQUEST_RESPONSE_INFORMATION,
  REQUEST_PROBLEM_INFORMATION, AUTHENTICATION_METHOD, AUTHENTICATION_DATA, USER_PROPERTIES,
]);
export const WILL_PROPERTIES = context("the Will", [WILL_DELAY_INTERVAL, ...MESSAGE]);
export const CONNACK_PROPERTIES = context("CONNACK", [
  SESSION_EXPIRY_INTERVAL, RECEIVE_MAXIMUM, MAXIMUM_QOS, RETAIN_AVAILABLE, MAXIMUM_PACKET_SIZE,
  ASSIGNED_CLIENT_IDENTIFIER, TOPIC_ALIAS_MAXIMUM, REASON_STRING, USER_PROPERTIES, WILDCARD_SUBSCRIPTION_AVAILABLE,
  SUBSCRIPTION_IDENTIFIERS_AVAILABLE, SHARED_SUBSCRIPTION_AVAILABLE, SERVER_KEEP_ALIVE, RESPONSE_INFORMATION,
  SERVER_REFERENCE, AUTHENTICATION_METHOD, AUTHENTICATION_DATA,
]);
export const PUBLISH_PROPERTIES = context("PUBLISH", [...MESSAGE, TOPIC_ALIAS, SUBSCRIPTION_IDENTIFIERS]);
export const PUBACK_PROPERTIES = context("PUBACK", ACK);
export const SUBACK_PROPERTIES = context("SUBACK", ACK);
export const UNSUBACK_PROPERTIES = context("UNSUBACK", ACK);
export const SUBSCRIBE_PROPERTIES = context("SUBSCRIBE", [SUBSCRIPTION_IDENTIFIER, USER_PROPERTIES]);
export const UNSUBSCRIBE_PROPERTIES = context("UNSUBSCRIBE", [USER_PROPERTIES]);
export const DISCONNECT_PROPERTIES = context("DISCONNECT", [SESSION_EXPIRY_INTERVAL, REASON_STRING, SERVER_REFERENCE, USER_PROPERTIES]);

function describe(entry: PropertySpec): string {
  return `property 0x${entry.id.toString(16).padStart(2, "0")} (${entry.key})`;
}

function isEmptyValue(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.length === 0);
}

/** Whether `properties` would put anything on the wire (undefined and empty lists do not). */
export function hasProperties(properties: object | undefined): boolean {
  if (properties === undefined) return false;
  // Not an object: let emitProperties refuse it with a reason.
  if (properties === null || typeof properties !== "object") return true;
  const record = properties as Record<string, unknown>;
  for (const key in record) {
    if (!isEmptyValue(record[key])) return true;
  }
  return false;
}

function emitNumber(out: ByteSink, entry: PropertySpec, value: unknown, what: string): void {
  if (out.validating && (typeof value !== "number" || value < entry.minimum || value > entry.maximum)) {
    out.fail(PROTOCOL_ERROR, `${what} is ${String(value)}, allowed ${entry.minimum}..${entry.maximum}`);
  }
  const number = value as number;
  if (entry.kind === "byte") out.byte(number, what);
  else if (entry.kind === "twoByte") out.twoByte(number, what);
  else if (entry.kind === "fourByte") out.fourByte(number, what);
  else out.variableByteInteger(number, what);
}

/** Emits a property block (length, then each property present) for `properties` in `context`. */
export function emitProperties(out: ByteSink, context: PropertyContext, properties: object | undefined): void {
  out.beginProperties();
  if (properties !== undefined) {
    const record = properties as Record<string, unknown>;
    if (out.validating) {
      if (record === null || typeof record !== "object" || Array.isArray(record)) out.fail(MALFORMED_PACKET, `properties of ${context.label} are not an object`);
      for (const key in record) {
        if (record[key] !== undefined && !context.specs.some((entry) => entry.key === key)) {
          out.fail(MALFORMED_PACKET, `property "${key}" is not allowed in ${context.label}`);
        }
      }
    }
    for (const entry of context.specs) {
      const value = record[entry.key];
      if (value === undefined) continue;
      const what = describe(entry);
      switch (entry.kind) {
        case "boolean":
          if (out.validating && typeof value !== "boolean") out.fail(MALFORMED_PACKET, `${what} is not a boolean`);
          out.byte(entry.id, what);
          out.byte(value ? 1 : 0, what);
          break;
        case "string":
          out.byte(entry.id, what);
          out.string(value as string, what);
          break;
        case "binary":
          out.byte(entry.id, what);
          out.binary(value as Uint8Array, what);
          break;
        case "userProperties":
        case "variableByteIntegerList": {
          if (out.validating && !Array.isArray(value)) out.fail(MALFORMED_PACKET, `${what} is not an array`);
          for (const item of value as unknown[]) {
            out.byte(entry.id, what);
            if (entry.kind === "variableByteIntegerList") {
              emitNumber(out, entry, item, what);
            } else {
              if (out.validating && (!Array.isArray(item) || item.length !== 2)) {
                out.fail(MALFORMED_PACKET, `${what} entry is not a [name, value] pair`);
              }
              const pair = item as UserProperty;
              out.string(pair[0], "user property name");
              out.string(pair[1], "user property value");
            }
          }
          break;
        }
        default:
          out.byte(entry.id, what);
          emitNumber(out, entry, value, what);
      }
    }
  }
  out.endProperties();
}

/**
 * Reads a property block. Returns undefined when it is empty, so a decoded packet has no
 * `properties` key unless the wire had some. `maximumUserProperties` caps user properties per packet.
 */
export function readProperties(reader: PacketReader, context: PropertyContext, maximumUserProperties: number): Record<string, unknown> | undefined {
  const length = reader.variableByteInteger(`${context.label} property length`);
  if (length > reader.left) {
    reader.fail(MALFORMED_PACKET, `property length ${length} runs past the end of the packet (${reader.left} bytes left)`);
  }
  const packetEnd = reader.end;
  reader.end = reader.at + length;
  let result: Record<string, unknown> | undefined;
  while (reader.at < reader.end) {
    const id = reader.variableByteInteger("property identifier");
    const entry = id <= HIGHEST_ID ? context.byId[id] : undefined;
    if (entry === undefined) {
      const known = ALL_SPECS.find((candidate) => candidate.id === id);
      reader.fail(
        MALFORMED_PACKET,
        known ? `${describe(known)} is not allowed in ${context.label}` : `unknown property identifier 0x${id.toString(16)}`,
      );
    }
    result ??= {};
    const what = describe(entry);
    const repeatable = entry.kind === "userProperties" || entry.kind === "variableByteIntegerList";
    if (!repeatable && result[entry.key] !== undefined) reader.fail(PROTOCOL_ERROR, `${what} appears twice`);
    // Ifs, not switch cases, for the kinds that go on with the next property: XS 17 leaves a stack slot
    // behind for every `continue` out of a switch (scripts/switch-continue.mjs).
    if (entry.kind === "string") {
      result[entry.key] = reader.string(what);
      continue;
    }
    if (entry.kind === "binary") {
      result[entry.key] = reader.binary(what);
      continue;
    }
    if (entry.kind === "userProperties") {
      if (++reader.userProperties > maximumUserProperties) {
        reader.fail(PACKET_TOO_LARGE, `more than ${maximumUserProperties} user properties (this client's limit)`);
      }
      const name = reader.string("user property name");
      const pair: UserProperty = [name, reader.string("user property value")];
      const list = result[entry.key] as UserProperty[] | undefined;
      if (list) list.push(pair);
      else result[entry.key] = [pair];
      continue;
    }
    let value: number;
    switch (entry.kind) {
      case "boolean":
      case "byte":
        value = reader.byte(what);
        break;
      case "twoByte":
        value = reader.twoByte(what);
        break;
      case "fourByte":
        value = reader.fourByte(what);
        break;
      default:
        value = reader.variableByteInteger(what);
    }
    const maximum = entry.kind === "boolean" ? 1 : entry.maximum;
    if (value < entry.minimum || value > maximum) {
      reader.fail(PROTOCOL_ERROR, `${what} is ${value}, allowed ${entry.minimum}..${maximum}`);
    }
    if (entry.kind === "boolean") {
      result[entry.key] = value === 1;
    } else if (entry.kind === "variableByteIntegerList") {
      const list = result[entry.key] as number[] | undefined;
      if (list) list.push(value);
      else result[entry.key] = [value];
    } else {
      result[entry.key] = value;
    }
  }
  reader.end = packetEnd;
  return result;
}
