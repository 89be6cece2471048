// Which file of a post to fetch (protocol sheet §6, policy in docs/artwork.md). The vault keeps the
// native upload plus renditions at the same path with another extension; renditions are made later
// and may be missing (404), GIF and BMP flatten alpha onto white, the WebP rendition is lossless and
// the native file may be lossy WebP. Candidates come best first; the pipeline falls back down the list.

import { NATIVE_FORMATS, type ArtworkPost, type NativeFormat } from "./artwork.js";

/**
 * How much memory decoding may use. "small": an ESP32 without PSRAM (~100 KB of JS heap): streaming
 * decoders only (GIF, PNG/APNG, BMP). "large": with PSRAM: WebP too, whose lossless back-references
 * need the whole source canvas (up to 256×256×4 = 256 KiB), on top of the compressed chunk, which the
 * WebP decoder buffers whole (lossy frames: 96 KiB of YUV planes instead; see docs/artwork.md, "WebP").
 */
export type MemoryClass = "small" | "large";

export interface RenditionOptions {
  /** Vault base URL without a trailing slash, e.g. "https://vault.makapix.club". */
  vault: string;
  memoryClass: MemoryClass;
  /** Formats this build can decode (a build may leave a decoder out). */
  decoders: readonly NativeFormat[];
}

export interface Rendition {
  url: string;
  format: NativeFormat;
  /** Whether this file is the native upload (always exists) or a rendition (may 404). */
  native: boolean;
}

/** Formats whose decoders stream in bounded memory on any device. */
const STREAMING_FORMATS: readonly NativeFormat[] = Object.freeze(["gif", "png", "bmp"]);

export function chooseRenditions(post: ArtworkPost, options: RenditionOptions): Rendition[] {
  const native = post.nativeFormat ?? guessFormat(post.artUrl) ?? "png";
  const animated = (post.frameCount ?? 1) > 1;
  const transparent = post.alphaActual === true || post.transparencyActual === true;
  const decodable = (format: NativeFormat) =>
    options.decoders.includes(format) && (options.memoryClass === "large" || STREAMING_FORMATS.includes(format));

  // Renditions that exist for this kind of art, best first for this art.
  let order: NativeFormat[];
  if (animated) {
    // Animated art has .gif and .webp renditions besides the native file (possibly an APNG).
    order = transparent ? [native, "webp", "gif"] : [native, "gif", "webp"];
  } else {
    // PNG keeps alpha and compresses well; BMP is big on the wire, so it comes last.
    order = transparent ? [native, "png", "webp", "gif", "bmp"] : [native, "png", "gif", "webp", "bmp"];
  }
  const out: Rendition[] = [];
  for (const format of order) {
    if (!decodable(format) || out.some((candidate) => candidate.format === format)) continue;
    const isNative = format === native;
    const url = isNative && post.artUrl ? post.artUrl : vaultUrl(options.vault, post, format);
    out.push({ url, format, native: isNative });
  }
  return out;
}

/** `{vault}/{storage_shard}/{storage_key}.{ext}`; an empty shard adds no path segment. */
export function vaultUrl(vault: string, post: Pick<ArtworkPost, "storageKey" | "storageShard">, format: NativeFormat): string {
  const shard = post.storageShard ? `/${post.storageShard}` : "";
  return `${vault}${shard}/${post.storageKey}.${format}`;
}

function guessFormat(url: string | undefined): NativeFormat | undefined {
  if (!url) return undefined;
  const dot = url.lastIndexOf(".");
  const extension = (dot >= 0 ? url.slice(dot + 1).toLowerCase() : "") as NativeFormat;
  return NATIVE_FORMATS.includes(extension) ? extension : undefined;
}
