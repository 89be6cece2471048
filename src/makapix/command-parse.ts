// Validation of commands from the website (protocol sheet §5): each envelope becomes a typed Command,
// or a reason why it cannot be one. Unknown types are "unsupported"; bad payloads are "error".

import {
  CHANNEL_NAMES,
  EXPOSURE_MODES,
  PICK_MODES,
  PLAYSET_CHANNEL_TYPES,
  type ChannelName,
  type ChannelSpec,
  type PlaysetChannel,
  type PlaysetChannelType,
  type PlaysetSpec,
} from "./channels.js";
import { isRecord } from "./small-message.js";

export type NativeFormat = "png" | "gif" | "webp" | "bmp";

export interface ShowArtwork {
  postId: number;
  storageKey: string;
  storageShard: string;
  nativeFormat: NativeFormat;
  title?: string;
  width?: number;
  height?: number;
}

export type Command =
  | { type: "swap_next" }
  | { type: "swap_back" }
  | { type: "show_artwork"; artwork: ShowArtwork }
  | { type: "play_channel"; channel: ChannelSpec }
  | { type: "play_playset"; playset: PlaysetSpec }
  | { type: "set_paused"; paused: boolean }
  | { type: "set_brightness"; value: number }
  | { type: "set_rotation"; value: number }
  | { type: "set_mirror"; value: string };

export type ParsedCommand =
  | { ok: true; commandId: string; command: Command }
  /** `commandId` is absent when even the envelope could not be read: nothing can be acknowledged. */
  | { ok: false; commandId: string | undefined; status: "error" | "unsupported"; reason: string };

const MAXIMUM_ID_LENGTH = 64;
const MAXIMUM_TEXT_LENGTH = 256;
const MAXIMUM_PLAYSET_CHANNELS = 64;
export const NATIVE_FORMATS: readonly NativeFormat[] = ["png", "gif", "webp", "bmp"];

class InvalidPayload extends Error {}

/** Reads a command envelope parsed from JSON. */
export function parseCommand(envelope: unknown): ParsedCommand {
  if (!isRecord(envelope)) return { ok: false, commandId: undefined, status: "error", reason: "the command is not a JSON object" };
  const commandId = envelope["command_id"];
  if (typeof commandId !== "string" || commandId.length === 0 || commandId.length > MAXIMUM_ID_LENGTH) {
    return { ok: false, commandId: undefined, status: "error", reason: "command_id missing or not a short string" };
  }
  const type = envelope["command_type"];
  if (typeof type !== "string") return { ok: false, commandId, status: "error", reason: "command_type missing" };
  const payload = envelope["payload"] ?? {};
  if (!isRecord(payload)) return { ok: false, commandId, status: "error", reason: "payload is not an object" };
  try {
    const command = readCommand(type, payload);
    if (!command) return { ok: false, commandId, status: "unsupported", reason: `unknown command type ${type.slice(0, 40)}` };
    return { ok: true, commandId, command };
  } catch (error) {
    if (error instanceof InvalidPayload) return { ok: false, commandId, status: "error", reason: `${type}: ${error.message}` };
    throw error;
  }
}

function readCommand(type: string, payload: { [key: string]: unknown }): Command | undefined {
  switch (type) {
    case "swap_next":
    case "swap_back":
      return { type };
    case "show_artwork":
      return { type, artwork: readShowArtwork(payload) };
    case "play_channel":
      return { type, channel: readChannel(payload) };
    case "play_playset":
      return { type, playset: readPlayset(payload) };
    case "set_paused":
      if (typeof payload["paused"] !== "boolean") throw new InvalidPayload("paused must be true or false");
      return { type, paused: payload["paused"] };
    case "set_brightness":
    case "set_rotation":
      return { type, value: integer(payload, "value") };
    case "set_mirror":
      return { type, value: text(payload, "value") };
    default:
      return undefined;
  }
}

function readShowArtwork(payload: { [key: string]: unknown }): ShowArtwork {
  const postId = integer(payload, "post_id");
  if (postId <= 0) throw new InvalidPayload("post_id must be positive");
  const storageKey = text(payload, "storage_key");
  if (storageKey.length === 0 || storageKey.includes("/")) throw new InvalidPayload("storage_key must be a non-empty name");
  const shard = payload["storage_shard"] ?? "";
  if (typeof shard !== "string" || shard.length > MAXIMUM_TEXT_LENGTH) throw new InvalidPayload("storage_shard must be text");
  const format = payload["native_format"] ?? "png";
  if (typeof format !== "string" || !NATIVE_FORMATS.includes(format as NativeFormat)) {
    throw new InvalidPayload(`native_format must be one of ${NATIVE_FORMATS.join(", ")}`);
  }
  const artwork: ShowArtwork = { postId, storageKey, storageShard: shard, nativeFormat: format as NativeFormat };
  const title = optional(payload, "title", "string");
  if (title !== undefined) artwork.title = title.slice(0, MAXIMUM_TEXT_LENGTH);
  const width = optional(payload, "width", "number");
  const height = optional(payload, "height", "number");
  if (width !== undefined) artwork.width = width;
  if (height !== undefined) artwork.height = height;
  return artwork;
}

function readChannel(payload: { [key: string]: unknown }): ChannelSpec {
  const name = text(payload, "channel_name");
  if (!CHANNEL_NAMES.includes(name as ChannelName)) throw new InvalidPayload(`unknown channel ${name.slice(0, 40)}`);
  const channel: ChannelSpec = { name: name as ChannelName };
  const sqid = optional(payload, "user_sqid", "string");
  const handle = optional(payload, "user_handle", "string");
  if (sqid !== undefined) channel.userSqid = sqid;
  if (handle !== undefined) channel.userHandle = handle;
  if (name === "by_user" && sqid === undefined) throw new InvalidPayload("by_user needs user_sqid");
  if (name === "reactions" && sqid === undefined && handle === undefined) throw new InvalidPayload("reactions needs user_sqid or user_handle");
  if (name === "hashtag") {
    const hashtag = text(payload, "hashtag");
    if (hashtag.length === 0) throw new InvalidPayload("hashtag is empty");
    channel.hashtag = hashtag;
  }
  return channel;
}

function readPlayset(payload: { [key: string]: unknown }): PlaysetSpec {
  const name = text(payload, "playset_name");
  const entries = payload["channels"];
  if (!Array.isArray(entries) || entries.length === 0) throw new InvalidPayload("channels must be a non-empty list");
  if (entries.length > MAXIMUM_PLAYSET_CHANNELS) throw new InvalidPayload(`more than ${MAXIMUM_PLAYSET_CHANNELS} channels`);
  const exposureMode = oneOf(payload, "exposure_mode", EXPOSURE_MODES, "equal");
  const pickMode = oneOf(payload, "pick_mode", PICK_MODES, "recency");
  const channels: PlaysetChannel[] = [];
  entries.forEach((entry, index) => {
    if (!isRecord(entry)) throw new InvalidPayload(`channel ${index} is not an object`);
    // A channel type this player does not know is left out, as the playset reader does.
    if (!PLAYSET_CHANNEL_TYPES.includes(entry["type"] as PlaysetChannelType)) return;
    const identifier = optional(entry, "identifier", "string");
    const channel: PlaysetChannel = {
      type: entry["type"] as PlaysetChannelType,
      name: optional(entry, "name", "string") ?? identifier ?? "",
      displayName: optional(entry, "display_name", "string") ?? "",
    };
    if (identifier !== undefined) channel.identifier = identifier;
    const weight = optional(entry, "weight", "number");
    if (weight !== undefined) {
      if (weight < 0) throw new InvalidPayload(`channel ${index} has a negative weight`);
      channel.weight = weight;
    }
    channels.push(channel);
  });
  if (channels.length === 0) throw new InvalidPayload("no channel of a type this player knows");
  return { name, channels, exposureMode, pickMode };
}

function integer(payload: { [key: string]: unknown }, field: string): number {
  const value = payload[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw new InvalidPayload(`${field} must be an integer`);
  return value;
}

function text(payload: { [key: string]: unknown }, field: string): string {
  const value = payload[field];
  if (typeof value !== "string") throw new InvalidPayload(`${field} must be text`);
  if (value.length > MAXIMUM_TEXT_LENGTH) throw new InvalidPayload(`${field} is too long`);
  return value;
}

/** A field that may be absent or null (the service sends null for some). */
function optional<K extends "string" | "number">(payload: { [key: string]: unknown }, field: string, kind: K): (K extends "string" ? string : number) | undefined {
  const value = payload[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== kind) throw new InvalidPayload(`${field} must be ${kind === "string" ? "text" : "a number"}`);
  if (kind === "string" && (value as string).length > MAXIMUM_TEXT_LENGTH) throw new InvalidPayload(`${field} is too long`);
  return value as K extends "string" ? string : number;
}

function oneOf<T extends string>(payload: { [key: string]: unknown }, field: string, values: readonly T[], fallback: T | undefined): T {
  const value = payload[field] ?? fallback;
  if (typeof value !== "string" || !values.includes(value as T)) throw new InvalidPayload(`${field} must be one of ${values.join(", ")}`);
  return value as T;
}
