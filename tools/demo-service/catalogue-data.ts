// The demo catalogue's records: users, posts (artworks and playlists), comments, reactions and
// follows, shaped after the service's tables. Pure data; catalogue.ts draws and encodes the files.

export type FileFormat = "png" | "gif" | "webp" | "bmp";

/** One file in the vault: the native upload or a rendition made from it. */
export interface StoredFile {
  format: FileFormat;
  fileBytes: number;
  native: boolean;
}

export interface CatalogueUser {
  handle: string;
  sqid: string;
}

/**
 * public: everyone sees it; private: pending approval, only its owner's `user` channel shows it;
 * the others are the service's reasons get_post refuses a post (deleted / not_visible / not_available).
 */
export type Visibility = "public" | "private" | "deleted" | "not_visible" | "hidden_by_user" | "hidden_by_mod" | "non_conformant";

interface PostCommon {
  postId: number;
  title: string;
  owner: string;
  createdAt: string;
  metadataModifiedAt: string;
  /** null: the service's default (30000) is reported. */
  dwellTimeMs: number | null;
  hashtags: string[];
  promoted: boolean;
  visibility: Visibility;
}

export interface ArtworkPost extends PostCommon {
  kind: "artwork";
  artworkModifiedAt: string;
  storageKey: string;
  /** Opaque path prefix in the vault; "" for the oldest uploads (files at the vault root). */
  storageShard: string;
  /** The service sends art_url "" for some posts: the player then builds the URL itself. */
  artUrlEmpty: boolean;
  nativeFormat: FileFormat;
  width: number;
  height: number;
  frameCount: number;
  minFrameDurationMs: number | null;
  maxFrameDurationMs: number | null;
  uniqueColors: number;
  transparencyMeta: boolean;
  alphaMeta: boolean;
  transparencyActual: boolean;
  alphaActual: boolean;
  /** Files that exist; a rendition the background job failed to make is simply absent. */
  files: StoredFile[];
  missingRenditions: FileFormat[];
}

export interface PlaylistPost extends PostCommon {
  kind: "playlist";
  items: number[];
}

export type Post = ArtworkPost | PlaylistPost;

export interface SeedComment {
  commentId: string;
  postId: number;
  author: string | null;
  body: string;
  depth: number;
  parentId: string | null;
  createdAt: string;
  deleted: boolean;
  hiddenByMod: boolean;
}

export interface SeedReaction {
  reactionId: number;
  postId: number;
  user: string;
  emoji: string;
  createdAt: string;
}

export interface CatalogueData {
  version: number;
  seed: number;
  /** Every demo player belongs to this user (its `user` channel, its reactions, its follows). */
  ownerHandle: string;
  users: CatalogueUser[];
  posts: Post[];
  comments: SeedComment[];
  reactions: SeedReaction[];
  /** Handles the owner follows, most recent first (the followed_artists playset). */
  follows: string[];
  /** Hashtags the service hides unless the owner approved them (content_not_approved). */
  monitoredHashtags: string[];
  approvedHashtags: string[];
}

export const USERS: CatalogueUser[] = [
  { handle: "demo", sqid: "dMq3x" },
  { handle: "pixelpat", sqid: "pX7tk" },
  { handle: "bitbard", sqid: "bB2rd" },
  { handle: "lumen", sqid: "lM9en" },
  { handle: "ferrite", sqid: "fR4it" },
  { handle: "quietmoth", sqid: "qM0th" },
];
