// What the artwork stage takes and how it reports back. Art owns these shapes; the layers above
// (makapix, device) fill them from the service's posts, commands and feeds.

/** The file formats the vault holds and the decoders read. */
export type NativeFormat = "png" | "gif" | "webp" | "bmp";

export const NATIVE_FORMATS: readonly NativeFormat[] = Object.freeze(["png", "gif", "webp", "bmp"]);

/**
 * An artwork to show: where its files are and what the rendition choice needs. One object per post
 * the player keeps (a page of them at a time), so it holds only the fields the player uses.
 */
export interface ArtworkPost {
  kind: "artwork";
  postId: number;
  storageKey: string;
  /** Opaque; absent or "" means no shard path segment. */
  storageShard?: string;
  /** The native file on the vault; absent or "" when the service sent none. */
  artUrl?: string;
  nativeFormat?: NativeFormat;
  width?: number;
  height?: number;
  frameCount?: number;
  dwellTimeMs?: number;
  transparencyActual?: boolean;
  alphaActual?: boolean;
  ownerHandle?: string;
}

/** The artwork pipeline as the scheduler sees it. `show` replaces whatever was loading or showing. */
export interface ArtworkStage {
  show(artwork: ArtworkPost, listener: StageListener): void;
  setPaused(paused: boolean): void;
}

export interface StageListener {
  /** The first frame is on the panel. */
  shown(info: { animated: boolean }): void;
  /** An animation finished one full loop. */
  loopCompleted(): void;
  /** The artwork could not be loaded or decoded; nothing of it was shown. */
  failed(reason: string): void;
}
