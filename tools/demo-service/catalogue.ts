// The demo catalogue: sample artworks drawn in code (pixel-art.ts), encoded with sharp (PNG, GIF,
// WebP) and encodeBmp24, stored like the vault ({shard}/{key}.{ext}) with the renditions of sheet §6,
// plus users, playlists, comments, reactions and follows. Deterministic for a seed; generated once
// into a cache folder (a manifest names version and seed) and reused afterwards.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { encodeBmp24 } from "./bmp.js";
import { USERS, type ArtworkPost, type CatalogueData, type FileFormat, type PlaylistPost, type Post, type SeedComment, type SeedReaction, type StoredFile, type Visibility } from "./catalogue-data.js";
import * as art from "./pixel-art.js";
import { randomInt, seededRandom, seededUuid, type Random } from "./random.js";

/** Bump when drawings, encodings or records change: old caches are then regenerated. */
export const CATALOGUE_VERSION = 1;

/** build/demo-catalogue in the project (this module runs from build/tools/demo-service/). */
export const DEFAULT_CATALOGUE_DIR = fileURLToPath(new URL("../../../build/demo-catalogue/", import.meta.url));

export interface Catalogue extends CatalogueData {
  /** Folder served as the vault root. */
  vaultDir: string;
}

interface ArtworkSpec {
  title: string;
  owner: string;
  draw: (random: Random) => art.PixelArt;
  native: FileFormat;
  hashtags: string[];
  lossy?: boolean;
  promoted?: boolean;
  missing?: FileFormat[];
  dwellTimeMs?: number;
  visibility?: Visibility;
  /** Store an alpha channel even though every pixel is opaque (transparency_meta without _actual). */
  alphaChannel?: boolean;
  artUrlEmpty?: boolean;
  shard?: "v1" | "empty";
}

interface PlaylistSpec {
  title: string;
  owner: string;
  /** Titles of the artworks it holds, in play order. */
  items: string[];
  hashtags: string[];
  dwellTimeMs?: number;
  /** Inserted after the artwork with this title (post ids follow creation order). */
  after: string;
}

const ARTWORKS: ArtworkSpec[] = [
  { title: "Tiny invader", owner: "pixelpat", draw: (r) => art.sprite(r, 8), native: "png", hashtags: ["sprites", "tiny"], promoted: true },
  { title: "Invader", owner: "pixelpat", draw: (r) => art.sprite(r, 16), native: "png", hashtags: ["sprites"] },
  { title: "Big invader", owner: "pixelpat", draw: (r) => art.sprite(r, 32), native: "gif", hashtags: ["sprites", "retro"] },
  { title: "Checkers", owner: "bitbard", draw: (r) => art.checker(r, 64, 32, 4), native: "png", hashtags: ["pattern"], missing: ["bmp"] },
  { title: "Bricks", owner: "bitbard", draw: (r) => art.bricks(r, 48, 16), native: "bmp", hashtags: ["pattern", "retro"] },
  { title: "Plasma", owner: "lumen", draw: (r) => art.plasma(r, 256, 256), native: "png", hashtags: ["pattern"], promoted: true },
  { title: "Dusk", owner: "lumen", draw: (r) => art.landscape(r, 128, 64), native: "webp", lossy: true, hashtags: ["landscape"], dwellTimeMs: 45000 },
  { title: "Valley", owner: "lumen", draw: (r) => art.landscape(r, 64, 32), native: "png", hashtags: ["landscape"], shard: "v1" },
  { title: "Glow", owner: "ferrite", draw: (r) => art.glow(r, 24), native: "png", hashtags: ["space"] },
  { title: "Opaque tiles", owner: "ferrite", draw: (r) => art.checker(r, 16, 16, 2), native: "png", hashtags: ["pattern", "tiny"], alphaChannel: true, missing: ["gif"] },
  { title: "Wide plasma", owner: "quietmoth", draw: (r) => art.plasma(r, 100, 75), native: "webp", hashtags: ["pattern"] },
  { title: "Tall valley", owner: "quietmoth", draw: (r) => art.landscape(r, 24, 40), native: "png", hashtags: ["landscape"] },
  { title: "My first sprite", owner: "demo", draw: (r) => art.sprite(r, 16), native: "png", hashtags: ["sprites"] },
  { title: "Private sketch", owner: "demo", draw: (r) => art.checker(r, 32, 32, 8), native: "png", hashtags: [], visibility: "private" },
  { title: "Bouncing ball", owner: "pixelpat", draw: (r) => art.bounce(r, 32, 32, 8, 100), native: "gif", hashtags: ["animated"] },
  { title: "Wide bounce", owner: "pixelpat", draw: (r) => art.bounce(r, 64, 32, 12, 60), native: "webp", hashtags: ["animated"], missing: ["gif"] },
  { title: "Spinner", owner: "bitbard", draw: (r) => art.spinner(r, 16, 4, 150), native: "gif", hashtags: ["animated", "tiny"] },
  { title: "Night drive", owner: "lumen", draw: (r) => art.starfield(r, 64, 32, 16), native: "gif", hashtags: ["animated", "space"], promoted: true, dwellTimeMs: 20000 },
  { title: "Campfire", owner: "ferrite", draw: (r) => art.fire(r, 32, 48, 10), native: "webp", hashtags: ["animated"] },
  { title: "Plasma loop", owner: "lumen", draw: (r) => art.plasmaLoop(r, 128, 128, 10), native: "webp", hashtags: ["animated", "pattern"] },
  { title: "Big spinner", owner: "quietmoth", draw: (r) => art.spinner(r, 64, 6, 100), native: "gif", hashtags: ["animated"], artUrlEmpty: true },
  { title: "Panorama", owner: "lumen", draw: (r) => art.landscape(r, 256, 64), native: "gif", hashtags: ["landscape"] },
  { title: "Pixel", owner: "pixelpat", draw: (r) => art.checker(r, 8, 8, 1), native: "png", hashtags: ["tiny"], shard: "empty" },
  { title: "Night creature", owner: "quietmoth", draw: (r) => art.sprite(r, 32), native: "png", hashtags: ["spooky", "sprites"] },
  { title: "Removed", owner: "bitbard", draw: (r) => art.checker(r, 16, 16, 4), native: "png", hashtags: [], visibility: "deleted" },
  { title: "Hidden by moderators", owner: "bitbard", draw: (r) => art.checker(r, 16, 16, 2), native: "png", hashtags: [], visibility: "hidden_by_mod" },
  { title: "Invisible", owner: "ferrite", draw: (r) => art.glow(r, 16), native: "png", hashtags: [], visibility: "not_visible" },
];

const PLAYLISTS: PlaylistSpec[] = [
  { title: "Sprite parade", owner: "pixelpat", items: ["Tiny invader", "Invader", "Big invader", "Bouncing ball"], hashtags: ["sprites"], dwellTimeMs: 10000, after: "Spinner" },
  { title: "Night sky", owner: "lumen", items: ["Dusk", "Night drive", "Plasma loop"], hashtags: ["space"], after: "Plasma loop" },
  { title: "My picks", owner: "demo", items: ["Plasma", "Wide bounce", "Campfire"], hashtags: [], after: "Panorama" },
];

/** Loads the catalogue for `seed` from `dir`, generating it there first if needed. */
export async function loadCatalogue(options: { dir?: string; seed?: number } = {}): Promise<Catalogue> {
  const seed = options.seed ?? 1;
  const root = join(options.dir ?? DEFAULT_CATALOGUE_DIR, `v${CATALOGUE_VERSION}-seed${seed}`);
  const manifestPath = join(root, "manifest.json");
  if (!existsSync(manifestPath)) {
    // Generated beside and renamed into place, so a concurrent or interrupted run never leaves half a catalogue.
    const staging = `${root}.tmp-${process.pid}-${Date.now()}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(staging, "vault"), { recursive: true });
    try {
      const data = await generateCatalogue(join(staging, "vault"), seed);
      writeFileSync(join(staging, "manifest.json"), JSON.stringify(data, null, 1));
      if (!existsSync(manifestPath)) {
        rmSync(root, { recursive: true, force: true });
        renameSync(staging, root);
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const data = JSON.parse(readFileSync(manifestPath, "utf8")) as CatalogueData;
  return { ...data, vaultDir: join(root, "vault") };
}

/** Draws, encodes and writes every artwork under `vaultDir`; returns the records. */
export async function generateCatalogue(vaultDir: string, seed: number): Promise<CatalogueData> {
  const random = seededRandom(seed);
  const posts: Post[] = [];
  let clock = Date.parse("2025-01-06T09:00:00Z");
  let nextId = 1001;
  const idByTitle = new Map<string, number>();
  const tick = () => {
    clock += randomInt(random, 2, 30) * 3_600_000 + randomInt(random, 0, 3599) * 1000;
    return isoSeconds(clock);
  };

  for (const spec of ARTWORKS) {
    const postId = nextId++;
    idByTitle.set(spec.title, postId);
    const createdAt = tick();
    posts.push(await makeArtwork(spec, postId, createdAt, random, vaultDir));
    for (const playlist of PLAYLISTS.filter((p) => p.after === spec.title)) {
      const id = nextId++;
      const at = tick();
      posts.push({
        kind: "playlist",
        postId: id,
        title: playlist.title,
        owner: playlist.owner,
        createdAt: at,
        metadataModifiedAt: at,
        dwellTimeMs: playlist.dwellTimeMs ?? null,
        hashtags: playlist.hashtags,
        promoted: false,
        visibility: "public",
        items: playlist.items.map((title) => idByTitle.get(title)!),
      } satisfies PlaylistPost);
    }
  }
  // Two uploads back-dated (imported from elsewhere): created_at order then differs from server order.
  const early = posts.find((p) => p.title === "Wide plasma")!;
  early.createdAt = early.metadataModifiedAt = "2024-11-02T17:45:10Z";
  if (early.kind === "artwork") early.artworkModifiedAt = early.createdAt;
  const later = posts.find((p) => p.title === "Valley")!;
  later.metadataModifiedAt = isoSeconds(clock + 86_400_000);

  const id = (title: string) => idByTitle.get(title)!;
  return {
    version: CATALOGUE_VERSION,
    seed,
    ownerHandle: "demo",
    users: USERS,
    posts,
    comments: seedComments(id("Invader"), id("Dusk"), random),
    reactions: seedReactions(id),
    follows: ["lumen", "pixelpat", "bitbard"],
    monitoredHashtags: ["spooky"],
    approvedHashtags: [],
  };
}

async function makeArtwork(spec: ArtworkSpec, postId: number, createdAt: string, random: Random, vaultDir: string): Promise<ArtworkPost> {
  const picture = spec.draw(random);
  const storageKey = seededUuid(random);
  const storageShard = spec.shard === "empty" ? "" : shardOf(storageKey, spec.shard ?? "v2");
  const animated = picture.frames.length > 1;
  const facts = art.pixelFacts(picture);
  const formats: FileFormat[] = animated ? ["gif", "webp"] : ["png", "gif", "webp", "bmp"];
  if (!formats.includes(spec.native)) formats.push(spec.native);
  const missing = spec.missing ?? [];
  if (missing.includes(spec.native)) throw new Error(`${spec.title}: the native file cannot be missing`);

  const folder = join(vaultDir, storageShard);
  mkdirSync(folder, { recursive: true });
  const files: StoredFile[] = [];
  for (const format of formats) {
    if (missing.includes(format)) continue;
    const native = format === spec.native;
    const bytes = await encode(picture, format, { native, lossy: native && spec.lossy === true, alphaChannel: spec.alphaChannel === true });
    writeFileSync(join(folder, `${storageKey}.${format}`), bytes);
    files.push({ format, fileBytes: bytes.length, native });
  }
  const delays = picture.delaysMs;
  // What the native file can carry: GIF a transparent index only, BMP (24-bit here) nothing.
  const nativeAlphaChannel = (spec.native === "png" || spec.native === "webp") && (facts.transparent || spec.alphaChannel === true);
  return {
    kind: "artwork",
    postId,
    title: spec.title,
    owner: spec.owner,
    createdAt,
    metadataModifiedAt: createdAt,
    artworkModifiedAt: createdAt,
    dwellTimeMs: spec.dwellTimeMs ?? null,
    hashtags: spec.hashtags,
    promoted: spec.promoted === true,
    visibility: spec.visibility ?? "public",
    storageKey,
    storageShard,
    artUrlEmpty: spec.artUrlEmpty === true,
    nativeFormat: spec.native,
    width: picture.width,
    height: picture.height,
    frameCount: picture.frames.length,
    minFrameDurationMs: animated ? Math.min(...delays) : null,
    maxFrameDurationMs: animated ? Math.max(...delays) : null,
    uniqueColors: facts.uniqueColours,
    transparencyMeta: nativeAlphaChannel || (spec.native === "gif" && facts.transparent),
    alphaMeta: nativeAlphaChannel,
    transparencyActual: facts.transparent,
    alphaActual: facts.partialAlpha,
    files,
    missingRenditions: missing,
  };
}

/** The vault's shard schemes: v2 "24/07" (low 6 bits of two SHA-256 bytes), legacy v1 "a4/47/ee". */
export function shardOf(storageKey: string, scheme: "v1" | "v2"): string {
  const digest = createHash("sha256").update(storageKey).digest();
  if (scheme === "v1") {
    const hex = digest.toString("hex");
    return `${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex.slice(4, 6)}`;
  }
  const part = (byte: number) => (byte & 0x3f).toString(16).padStart(2, "0");
  return `${part(digest[0]!)}/${part(digest[1]!)}`;
}

async function encode(picture: art.PixelArt, format: FileFormat, options: { native: boolean; lossy: boolean; alphaChannel: boolean }): Promise<Uint8Array> {
  const { width, height, frames, delaysMs } = picture;
  const animated = frames.length > 1;
  // GIF and BMP renditions flatten alpha onto white (sheet §6); a native GIF keeps its transparency.
  const flatten = !options.native && (format === "gif" || format === "bmp");
  if (format === "bmp") return encodeBmp24(width, height, art.flattenOnWhite(frames[0]!));
  const channels = flatten ? 3 : 4;
  const pixels = Buffer.concat(frames.map((frame) => (flatten ? art.flattenOnWhite(frame) : frame)));
  const raw = animated ? { width, height: height * frames.length, channels, pageHeight: height } : { width, height, channels };
  let image = sharp(pixels, { raw: raw as { width: number; height: number; channels: 3 | 4 } });
  const opaque = !art.pixelFacts(picture).transparent;
  if (channels === 4 && opaque && !options.alphaChannel) image = image.removeAlpha();
  const animation = animated ? { loop: 0, delay: delaysMs } : {};
  if (format === "png") return image.png({ compressionLevel: 9 }).toBuffer();
  if (format === "gif") return image.gif({ ...animation, dither: 0, effort: 7 }).toBuffer();
  return image.webp(options.lossy ? { ...animation, quality: 60 } : { ...animation, lossless: true }).toBuffer();
}

function seedComments(invader: number, dusk: number, random: Random): SeedComment[] {
  const base = Date.parse("2025-03-01T10:00:00Z");
  const ids = Array.from({ length: 11 }, () => seededUuid(random));
  const comment = (index: number, postId: number, author: string | null, body: string, depth = 0, parent: number | null = null, extra: Partial<SeedComment> = {}): SeedComment => ({
    commentId: ids[index]!,
    postId,
    author,
    body,
    depth,
    parentId: parent === null ? null : ids[parent]!,
    createdAt: isoSeconds(base + index * 600_000),
    deleted: false,
    hiddenByMod: false,
    ...extra,
  });
  return [
    comment(1, invader, "lumen", "Love the eyes on this one!"),
    comment(2, invader, "pixelpat", "Thanks! Took a few tries.", 1, 1),
    comment(3, invader, null, "Très joli ✨ — 🎨👾", 0),
    comment(4, invader, "ferrite", "This comment was removed by its author.", 0, null, { deleted: true }),
    comment(5, invader, "quietmoth", "Reminds me of the arcade 🕹️", 1, 3),
    comment(6, invader, "bitbard", "Spam", 0, null, { hiddenByMod: true }),
    comment(7, invader, "demo", "Agreed!", 2, 5),
    comment(8, invader, "lumen", "A long appreciation. ".repeat(95).slice(0, 2000)),
    comment(9, dusk, "pixelpat", "Those colours 🌅"),
    comment(10, dusk, null, "日没がきれい"),
  ];
}

function seedReactions(id: (title: string) => number): SeedReaction[] {
  const list: [string, string, string, string][] = [
    ["Dusk", "pixelpat", "🔥", "2025-03-02T08:00:00Z"],
    ["Invader", "lumen", "❤️", "2025-03-02T09:00:00Z"],
    ["Plasma", "demo", "👍", "2025-03-03T10:00:00Z"],
    ["Night drive", "demo", "🌙", "2025-03-04T11:00:00Z"],
    ["Campfire", "demo", "🔥", "2025-03-05T12:00:00Z"],
    ["Plasma", "demo", "✨", "2025-03-06T13:00:00Z"],
    ["Spinner", "lumen", "😵‍💫", "2025-03-07T14:00:00Z"],
  ];
  return list.map(([title, user, emoji, createdAt], index) => ({ reactionId: index + 1, postId: id(title), user, emoji, createdAt }));
}

/** "2025-01-06T09:00:00Z": the service's timestamps (UTC, whole seconds here). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
