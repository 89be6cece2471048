// What the player can be told to play (protocol sheet §3 and §5): a channel, or a playset of channels
// with an exposure and pick mode. Commands produce these; the scheduler turns them into query_posts.

import type { RequestValue } from "./requests.js";

export type ChannelName = "all" | "promoted" | "user" | "by_user" | "hashtag" | "reactions" | "artwork";
export type Sort = "server_order" | "created_at" | "random" | "reacted_at";

export const CHANNEL_NAMES: readonly ChannelName[] = Object.freeze(["all", "promoted", "user", "by_user", "hashtag", "reactions", "artwork"]);

export interface ChannelSpec {
  name: ChannelName;
  /** by_user / reactions: whose posts (sqid preferred, handle accepted). */
  userSqid?: string;
  userHandle?: string;
  /** hashtag channel. */
  hashtag?: string;
  sort?: Sort;
}

export type PlaysetChannelType = "named" | "user" | "hashtag" | "sdcard";
export type ExposureMode = "equal" | "manual" | "proportional";
export type PickMode = "recency" | "random";

export const PLAYSET_CHANNEL_TYPES: readonly PlaysetChannelType[] = Object.freeze(["named", "user", "hashtag", "sdcard"]);
export const EXPOSURE_MODES: readonly ExposureMode[] = Object.freeze(["equal", "manual", "proportional"]);
export const PICK_MODES: readonly PickMode[] = Object.freeze(["recency", "random"]);

export interface PlaysetChannel {
  type: PlaysetChannelType;
  name: string;
  identifier?: string;
  displayName: string;
  weight?: number;
}

export interface PlaysetSpec {
  name: string;
  channels: PlaysetChannel[];
  exposureMode: ExposureMode;
  pickMode: PickMode;
}

/** play_order of a view (sheet §4): 0 server_order, 1 created_at, 2 random. */
export function playOrderOf(sort: Sort | undefined): 0 | 1 | 2 {
  if (sort === "created_at") return 1;
  if (sort === "random") return 2;
  return 0;
}

/** The query_posts fields that select this channel. */
export function channelQueryFields(channel: ChannelSpec): { [key: string]: RequestValue } {
  const fields: { [key: string]: RequestValue } = { channel: channel.name };
  if (channel.userSqid !== undefined) fields["user_sqid"] = channel.userSqid;
  else if (channel.userHandle !== undefined) fields["user_handle"] = channel.userHandle;
  if (channel.hashtag !== undefined) fields["hashtag"] = channel.hashtag;
  if (channel.sort !== undefined) fields["sort"] = channel.sort;
  return fields;
}

/** A playset entry as a channel: user → by_user, hashtag → hashtag, named → that channel. */
export function playsetChannelSpec(entry: PlaysetChannel): ChannelSpec | undefined {
  if (entry.type === "user") {
    const identifier = entry.identifier ?? entry.name;
    return { name: "by_user", userSqid: identifier };
  }
  if (entry.type === "hashtag") return { name: "hashtag", hashtag: entry.identifier ?? entry.name };
  if (entry.type === "named") {
    const name = (entry.identifier ?? entry.name) as ChannelName;
    return CHANNEL_NAMES.includes(name) ? { name } : undefined;
  }
  // sdcard: local files, which this player does not have.
  return undefined;
}
