// Validation of commands from the website (protocol sheet §5): each envelope the streaming
// CommandReader delivered becomes a typed Command, or a reason why it cannot be one. Unknown types
// are "unsupported"; bad payloads are "error". Fields are read with the JSON layer's PayloadFields.

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
import { NATIVE_FORMATS, type NativeFormat } from "../art/artwork.js";
import { JsonError } from "../json/errors.js";
import { PayloadFields, type CommandEnvelope } from "./command-envelope.js";
import { clipText } from "../util/string-model.js";

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
  | { ok: false; commandId: string; status: "error" | "unsupported"; reason: string };

const TEXT = Object.freeze({ maxUnits: 256 });
const MAXIMUM_PLAYSET_CHANNELS = 64;

class InvalidPayload extends Error {}

/** Reads a command envelope. */
export function parseCommand(envelope: CommandEnvelope): ParsedCommand {
  const { commandId, commandType: type } = envelope;
  try {
    const command = readCommand(type, new PayloadFields(envelope.payload));
    if (!command) return { ok: false, commandId, status: "unsupported", reason: `unknown command type ${clipText(type, 40)}` };
    return { ok: true, commandId, command };
  } catch (error) {
    if (error instanceof InvalidPayload || error instanceof JsonError) return { ok: false, commandId, status: "error", reason: `${type}: ${error.message}` };
    throw error;
  }
}

function readCommand(type: string, payload: PayloadFields): Command | undefined {
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
      return { type, paused: payload.boolean("paused") };
    case "set_brightness":
    case "set_rotation":
      return { type, value: payload.integer("value", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) };
    case "set_mirror":
      return { type, value: payload.string("value", TEXT) };
    default:
      return undefined;
  }
}

function readShowArtwork(payload: PayloadFields): ShowArtwork {
  const postId = payload.integer("post_id", 1, Number.MAX_SAFE_INTEGER);
  const storageKey = payload.string("storage_key", TEXT);
  if (storageKey.length === 0 || storageKey.includes("/")) throw new InvalidPayload("storage_key must be a non-empty name");
  const storageShard = payload.optionalString("storage_shard", TEXT) ?? "";
  const nativeFormat = (payload.optionalString("native_format", { maxUnits: 8, values: NATIVE_FORMATS }) ?? "png") as NativeFormat;
  const artwork: ShowArtwork = { postId, storageKey, storageShard, nativeFormat };
  const title = payload.optionalString("title", TEXT);
  if (title !== undefined) artwork.title = title;
  const width = payload.optionalNumber("width", -Infinity, Infinity);
  const height = payload.optionalNumber("height", -Infinity, Infinity);
  if (width !== undefined) artwork.width = width;
  if (height !== undefined) artwork.height = height;
  return artwork;
}

function readChannel(payload: PayloadFields): ChannelSpec {
  const name = payload.string("channel_name", TEXT);
  if (!CHANNEL_NAMES.includes(name as ChannelName)) throw new InvalidPayload(`unknown channel ${clipText(name, 40)}`);
  const channel: ChannelSpec = { name: name as ChannelName };
  const sqid = payload.optionalString("user_sqid", TEXT);
  const handle = payload.optionalString("user_handle", TEXT);
  if (sqid !== undefined) channel.userSqid = sqid;
  if (handle !== undefined) channel.userHandle = handle;
  if (name === "by_user" && sqid === undefined) throw new InvalidPayload("by_user needs user_sqid");
  if (name === "reactions" && sqid === undefined && handle === undefined) throw new InvalidPayload("reactions needs user_sqid or user_handle");
  if (name === "hashtag") {
    const hashtag = payload.string("hashtag", TEXT);
    if (hashtag.length === 0) throw new InvalidPayload("hashtag is empty");
    channel.hashtag = hashtag;
  }
  return channel;
}

function readPlayset(payload: PayloadFields): PlaysetSpec {
  const name = payload.string("playset_name", TEXT);
  const entries = payload.objects("channels", MAXIMUM_PLAYSET_CHANNELS);
  if (entries.length === 0) throw new InvalidPayload("channels must be a non-empty list");
  const exposureMode = (payload.optionalString("exposure_mode", { maxUnits: 16, values: EXPOSURE_MODES }) ?? "equal") as PlaysetSpec["exposureMode"];
  const pickMode = (payload.optionalString("pick_mode", { maxUnits: 16, values: PICK_MODES }) ?? "recency") as PlaysetSpec["pickMode"];
  const channels: PlaysetChannel[] = [];
  for (const entry of entries) {
    // A channel type this player does not know is left out, as the playset reader does.
    const type = entry.rawString("type");
    if (!PLAYSET_CHANNEL_TYPES.includes(type as PlaysetChannelType)) continue;
    const identifier = entry.optionalString("identifier", TEXT);
    const channel: PlaysetChannel = {
      type: type as PlaysetChannelType,
      name: entry.optionalString("name", TEXT) ?? identifier ?? "",
      displayName: entry.optionalString("display_name", TEXT) ?? "",
    };
    if (identifier !== undefined) channel.identifier = identifier;
    const weight = entry.optionalNumber("weight", 0, Infinity);
    if (weight !== undefined) channel.weight = weight;
    channels.push(channel);
  }
  if (channels.length === 0) throw new InvalidPayload("no channel of a type this player knows");
  return { name, channels, exposureMode, pickMode };
}
