// The artwork stage: post → rendition → streaming fetch → decoder → compositor → frame cache → display.
// Render while decoding: the first frame of the new artwork is on the panel the moment the compositor
// finishes it, and the display plays the frames at their delays as they arrive, holding the last one
// when decoding falls behind; once the file is complete it loops from the cache.
// Until that first frame, with two frame caches (the default) the artwork on screen keeps playing; with
// one (`frameCaches: 1`, the small memory class) it stops on its last frame (the panel keeps it) and
// lends its cache to the new artwork. A rendition that 404s or fails to decode before any of its frames
// was shown falls back to the next candidate. A failure after the first frame was shown keeps the
// frames decoded so far as the artwork (see #stopShown): the scheduler was told it is on screen.

import type { ArtKernels, Host, InflateFactory } from "../ports.js";
import { HttpError } from "../net/errors.js";
import type { HttpClient, HttpRequest, HttpSink } from "../net/http.js";
import type { Display } from "../display/display.js";
import { FrameCache } from "../display/frame-cache.js";
import type { ArtworkPost, ArtworkStage, StageListener } from "./artwork.js";
import { Compositor } from "./compositor.js";
import { createDecoder } from "./decoders.js";
import { ImageDecodeError, type DecodeLimits, type ImageDecoder } from "./image.js";
import { chooseRenditions, type Rendition, type RenditionOptions } from "./rendition.js";

export interface PipelineOptions {
  rendition: RenditionOptions;
  /** Bytes of panel frames one artwork may keep (longer animations are thinned to fit). */
  frameBudgetBytes: number;
  /**
   * Frame caches: 2 (default) keeps the artwork on screen playing while the next one loads; 1 halves
   * the frames held, and the artwork on screen stops (its last frame stays lit) while the next loads.
   */
  frameCaches?: 1 | 2;
  /** Background for letterbox and transparency, 0xRRGGBB. */
  background?: number;
  inflate?: InflateFactory;
  /** Native pixel kernels (the host's `artKernels`): GIF decoding and compositing; TypeScript otherwise. */
  kernels?: ArtKernels;
  limits?: DecodeLimits;
}

interface Load {
  artwork: ArtworkPost;
  listener: StageListener;
  candidates: Rendition[];
  index: number;
  request: HttpRequest | undefined;
  cache: FrameCache;
  failures: string[];
  /** Its first frame reached the panel: `load.cache` is what the display plays. */
  shown: boolean;
  /** `shown` reported a still; a second frame means telling the listener it animates after all. */
  reportedStill: boolean;
  /** Frames the file's header declares (0: unknown until the end, as in a GIF). */
  declaredFrames: number;
}

export class ArtworkPipeline implements ArtworkStage {
  readonly #host: Host;
  readonly #http: HttpClient;
  readonly #display: Display;
  readonly #options: PipelineOptions;
  #load: Load | undefined;
  /** What is on screen, to draw again after a rotation or mirror change. */
  #showing: { artwork: ArtworkPost; listener: StageListener } | undefined;
  /** Two caches: one on screen, one being filled (with `frameCaches: 1`, never both). */
  #spareCache: FrameCache | undefined;
  #screenCache: FrameCache | undefined;
  readonly #detach: () => void;

  constructor(host: Host, http: HttpClient, display: Display, options: PipelineOptions) {
    this.#host = host;
    this.#http = http;
    this.#display = display;
    this.#options = options;
    this.#detach = display.onGeometryChange(() => {
      const load = this.#load;
      const showing = this.#showing;
      // A load in progress composes for the old geometry: start it again (quietly once its first frame
      // was shown: that was its showing). Otherwise redraw what is on screen — unless a status screen
      // has the panel. The frames on screen keep playing (two caches) or stay lit (one) meanwhile.
      if (load) this.#start(load.artwork, load.shown ? quietListener(load.listener, true) : load.listener, load.shown);
      else if (showing && display.playing) this.#start(showing.artwork, quietListener(showing.listener, false), true);
    });
  }

  show(artwork: ArtworkPost, listener: StageListener): void {
    this.#start(artwork, listener, false);
  }

  /** Bytes of panel frames the pipeline's caches hold (on screen, spare, loading): a memory report's figure. */
  get frameCacheBytes(): number {
    const caches = [this.#screenCache, this.#spareCache, this.#load?.cache];
    let bytes = 0;
    caches.forEach((cache, index) => {
      if (cache && caches.indexOf(cache) === index) bytes += cache.bytes;
    });
    return bytes;
  }

  /** Cancels any load in progress and stops the animation on screen. */
  stop(): void {
    this.#cancel();
    this.#showing = undefined;
    this.#display.stop();
  }

  /**
   * Stops for good and lets go of the display, which may serve the next pipeline: the frame buffers
   * become garbage and a later rotation change no longer reaches this pipeline.
   */
  close(): void {
    this.stop();
    this.#detach();
    this.#screenCache = undefined;
    this.#spareCache = undefined;
  }

  setPaused(paused: boolean): void {
    this.#display.setPaused(paused);
  }

  #start(artwork: ArtworkPost, listener: StageListener, redraw: boolean): void {
    this.#cancel();
    const candidates = chooseRenditions(artwork, this.#options.rendition);
    const cache = this.#takeCache();
    // An artwork cancelled mid-load may be on screen, waiting for frames that will not come now.
    if (this.#screenCache) this.#display.framesChanged(this.#screenCache);
    const load: Load = { artwork, listener, candidates, index: 0, request: undefined, cache, failures: [], shown: false, reportedStill: false, declaredFrames: 0 };
    this.#load = load;
    if (candidates.length === 0) {
      this.#fail(load, `no decodable rendition of post ${artwork.postId}`);
      return;
    }
    if (!redraw) this.#host.log.write("debug", `art: loading post ${artwork.postId} (${candidates.map((c) => c.format).join(", ")})`);
    this.#fetch(load);
  }

  #takeCache(): FrameCache {
    const bytes = this.#display.frameBytes;
    let cache = this.#spareCache;
    this.#spareCache = undefined;
    if (!cache && this.#options.frameCaches === 1 && this.#screenCache) {
      // One cache: the artwork on screen stops (its last frame stays on the panel) and lends its frames.
      this.#display.stop();
      cache = this.#screenCache;
      this.#screenCache = undefined;
    }
    if (!cache || cache.frameBytes !== bytes) cache = new FrameCache(bytes, this.#options.frameBudgetBytes);
    cache.clear();
    return cache;
  }

  #cancel(): void {
    const load = this.#load;
    this.#load = undefined;
    if (!load) return;
    load.request?.cancel();
    // A load on screen stays there, looping what it decoded, until the next artwork's first frame
    // (`#start` lets the display go on; `stop` stops it).
    if (load.shown) load.cache.markComplete();
    else this.#spareCache = load.cache;
  }

  #fetch(load: Load): void {
    const rendition = load.candidates[load.index]!;
    let decoder: ImageDecoder | undefined;
    let decodeError: ImageDecodeError | undefined;
    // A fallback rendition starts from nothing (no frame of the failed one was shown).
    if (!load.shown) load.cache.clear();
    const startDecoder = () => {
      decodeError = undefined;
      // After a retried download the file is decoded again from its start: the frames already in the
      // cache are composed (the canvas needs them) but neither rendered nor added again.
      const alreadyCached = load.cache.decoded;
      const compositor = new Compositor({
        geometry: this.#display.geometry,
        background: this.#options.background ?? 0,
        frameBuffer: (index) => (this.#load === load && index >= alreadyCached ? load.cache.bufferForNextFrame() : undefined),
        onFrame: (frame, delayMs, index) => {
          if (this.#load === load && index >= alreadyCached) this.#frameDecoded(load, frame, delayMs);
        },
        ...(this.#options.kernels?.compositor ? { kernels: this.#options.kernels.compositor } : {}),
      });
      decoder = createDecoder(rendition.format, compositor, {
        inflate: this.#options.inflate,
        kernels: this.#options.kernels,
        limits: this.#options.limits,
        onHeader: (header) => {
          load.cache.loopCount = header.loopCount;
          load.declaredFrames = header.frameCount;
        },
      });
    };
    const sink: HttpSink = {
      begin: () => startDecoder(),
      data: (chunk) => {
        if (decodeError || !decoder) return;
        try {
          decoder.push(chunk);
        } catch (error) {
          decodeError = asDecodeError(error);
          load.request?.cancel();
        }
      },
      end: () => {
        if (decodeError || !decoder) return;
        try {
          decoder.finish();
        } catch (error) {
          decodeError = asDecodeError(error);
        }
      },
      abort: () => {
        decoder = undefined;
      },
    };
    const request = this.#http.get(rendition.url, sink);
    load.request = request;
    // Once the transfer is over, nothing may keep the decoder (its canvas and tables) alive while the
    // artwork plays: the request, kept by the load, holds the sink, whose closures hold `decoder`.
    const done = () => {
      decoder = undefined;
      if (load.request === request) load.request = undefined;
    };
    request.result.then(
      () => {
        done();
        if (this.#load !== load) return;
        if (decodeError) return this.#next(load, `${rendition.format}: ${decodeError.message}`);
        if (load.cache.length === 0) return this.#next(load, `${rendition.format}: no frames`);
        this.#complete(load);
      },
      (error: Error) => {
        done();
        if (this.#load !== load) return;
        if (decodeError) return this.#next(load, `${rendition.format}: ${decodeError.message}`);
        const reason = error instanceof HttpError ? error.message : String(error);
        this.#next(load, `${rendition.format}: ${reason}`);
      },
    );
  }

  #next(load: Load, reason: string): void {
    if (load.shown) {
      this.#stopShown(load, reason);
      return;
    }
    load.failures.push(reason);
    this.#host.log.write("info", `art: post ${load.artwork.postId}: ${reason}${load.index + 1 < load.candidates.length ? "; trying the next rendition" : ""}`);
    load.index++;
    if (load.index >= load.candidates.length) {
      this.#fail(load, load.failures.join("; "));
      return;
    }
    this.#fetch(load);
  }

  #fail(load: Load, reason: string): void {
    this.#load = undefined;
    this.#spareCache = load.cache;
    load.listener.failed(reason);
  }

  /** Called by the compositor (inside the decoder's push) for each new frame, rendered or merged away. */
  #frameDecoded(load: Load, frame: Uint8Array, delayMs: number): void {
    load.cache.add(frame, delayMs);
    if (load.shown) {
      this.#display.framesChanged(load.cache);
      if (load.reportedStill && load.cache.decoded === 2) {
        load.reportedStill = false;
        const listener = load.listener;
        later(() => listener.animationFound?.());
      }
      return;
    }
    // The first frame: on the panel now, with the frames that follow as they come.
    load.shown = true;
    // The cache that was on screen becomes the spare for the next load (one cache: it was lent to this one).
    this.#spareCache = this.#screenCache;
    this.#screenCache = load.cache;
    this.#showing = { artwork: load.artwork, listener: load.listener };
    const listener = load.listener;
    this.#display.play(load.cache, { loopCompleted: () => listener.loopCompleted() });
    // The listener hears it once the decoder has returned: whatever it does (publishing the view,
    // starting the dwell) must not run inside the decoder's call, where a throw would read as a
    // decode error. Frames decoded in the same call count towards `animated`.
    later(() => {
      const animated = load.cache.decoded > 1 || load.declaredFrames > 1 || (load.artwork.frameCount ?? 0) > 1;
      load.reportedStill = !animated && !load.cache.complete;
      listener.shown({ animated });
    });
  }

  /** The whole file is decoded: the display loops it from the cache at full timing. */
  #complete(load: Load): void {
    this.#load = undefined;
    if (load.cache.thinned) {
      this.#host.log.write("info", `art: post ${load.artwork.postId}: ${load.cache.decoded} frames thinned to ${load.cache.length} to fit the frame budget`);
    }
    this.#stopFilling(load.cache);
    load.listener.loaded?.();
  }

  /**
   * A download or decode failure after the first frame was shown. The frames decoded so far become the
   * artwork, looped at their delays, and the fallback renditions are not tried: the scheduler was told
   * the artwork is on screen (its view counts), `failed` means nothing was shown, and a fallback would
   * restart the animation from its first frame after holding the panel for a whole new download (with
   * one cache) — a glitch worse than a shorter loop. A transient network failure seldom gets here: the
   * HTTP client retries it, and a retry carries on from the frames already cached.
   */
  #stopShown(load: Load, reason: string): void {
    this.#load = undefined;
    this.#host.log.write("warn", `art: post ${load.artwork.postId}: ${reason} after ${load.cache.decoded} frame(s); playing those`);
    this.#stopFilling(load.cache);
    load.listener.loaded?.();
  }

  /** No more frames will come into `cache`: if it is on screen, the display loops what it holds. */
  #stopFilling(cache: FrameCache): void {
    cache.markComplete();
    this.#display.framesChanged(cache);
  }
}

/** Runs `task` after the current call stack (a decoder's push) has returned. */
function later(task: () => void): void {
  void Promise.resolve().then(task);
}

/**
 * A redraw after a rotation change, or a load restarted by one after its first frame was shown: loops
 * still count, but it is not a new showing, and a failure leaves the frames on screen (#stopShown).
 * Only a restarted load has its `loaded` still to report.
 */
function quietListener(listener: StageListener, loading: boolean): StageListener {
  return {
    shown: () => undefined,
    animationFound: () => listener.animationFound?.(),
    loaded: () => (loading ? listener.loaded?.() : undefined),
    loopCompleted: () => listener.loopCompleted(),
    failed: () => undefined,
  };
}

function asDecodeError(error: unknown): ImageDecodeError {
  if (error instanceof ImageDecodeError) return error;
  return new ImageDecodeError("corrupt", error instanceof Error ? error.message : String(error));
}
