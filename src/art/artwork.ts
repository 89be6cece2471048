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
  /**
   * The first frame is on the panel (reported once, as soon as it was decoded: the rest may still be
   * loading). `animated` is what is known then: more than one frame decoded, or declared by the file's
   * header or the post's `frameCount`.
   */
  shown(info: { animated: boolean }): void;
  /** `shown` said still, and a second frame has now been decoded: it is an animation after all. */
  animationFound?(): void;
  /**
   * Decoding is over after `shown`: every frame is in, or a failure ended it and the frames decoded so
   * far are the artwork. Not reported for a load cancelled by the next `show`.
   */
  loaded?(): void;
  /** An animation finished one full loop (the first loop ends once the whole file is decoded). */
  loopCompleted(): void;
  /**
   * The artwork could not be loaded or decoded; nothing of it was shown. A failure after `shown` is not
   * reported: the frames decoded so far stay on the panel as the artwork.
   */
  failed(reason: string): void;
}
