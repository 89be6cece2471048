// The artwork stage: post → rendition → streaming fetch → decoder → compositor → frame cache → display.
// With two frame caches (the default) the artwork on screen keeps playing while the next one downloads
// and decodes (so a slow decode never makes an animation stutter); the new one takes over once all its
// frames are ready. With one (`frameCaches: 1`, the small memory class) the next artwork is decoded into
// the cache on screen: the animation stops on its last pushed frame (the panel keeps showing it) until
// the new one is ready. A rendition that 404s or fails to decode falls back to the next candidate.

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
      this.#screenCache = undefined;
      this.#spareCache = undefined;
      const load = this.#load;
      const showing = this.#showing;
      // A load in progress composes for the old geometry: start it again. Otherwise redraw what is on
      // screen — unless a status screen has the panel.
      if (load) this.#start(load.artwork, load.listener, false);
      else if (showing && display.playing) this.#start(showing.artwork, quietListener(showing.listener), true);
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
    const load: Load = { artwork, listener, candidates, index: 0, request: undefined, cache, failures: [] };
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
    if (load) {
      load.request?.cancel();
      this.#spareCache = load.cache;
    }
  }

  #fetch(load: Load): void {
    const rendition = load.candidates[load.index]!;
    let decoder: ImageDecoder | undefined;
    let decodeError: ImageDecodeError | undefined;
    const startDecoder = () => {
      load.cache.clear();
      decodeError = undefined;
      const compositor = new Compositor({
        geometry: this.#display.geometry,
        background: this.#options.background ?? 0,
        frameBuffer: () => load.cache.bufferForNextFrame(),
        onFrame: (frame, delayMs) => load.cache.add(frame, delayMs),
        ...(this.#options.kernels?.compositor ? { kernels: this.#options.kernels.compositor } : {}),
      });
      decoder = createDecoder(rendition.format, compositor, { inflate: this.#options.inflate, kernels: this.#options.kernels, limits: this.#options.limits, onHeader: (header) => (load.cache.loopCount = header.loopCount) });
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
        this.#ready(load);
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

  #ready(load: Load): void {
    this.#load = undefined;
    // The cache that was on screen becomes the spare for the next load.
    this.#spareCache = this.#screenCache;
    this.#screenCache = load.cache;
    this.#showing = { artwork: load.artwork, listener: load.listener };
    const animated = load.cache.length > 1;
    if (load.cache.thinned) {
      this.#host.log.write("info", `art: post ${load.artwork.postId}: ${load.cache.decoded} frames thinned to ${load.cache.length} to fit the frame budget`);
    }
    const listener = load.listener;
    this.#display.play(load.cache, { loopCompleted: () => listener.loopCompleted() });
    load.listener.shown({ animated });
  }
}

/** A redraw after a rotation change: loops still count, but it is not a new showing. */
function quietListener(listener: StageListener): StageListener {
  return { shown: () => undefined, loopCompleted: () => listener.loopCompleted(), failed: () => undefined };
}

function asDecodeError(error: unknown): ImageDecodeError {
  if (error instanceof ImageDecodeError) return error;
  return new ImageDecodeError("corrupt", error instanceof Error ? error.message : String(error));
}
