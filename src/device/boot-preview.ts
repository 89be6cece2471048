// Art before registration (protocol sheet §9): the promoted channel over plain HTTPS from
// GET {api}/feed/promoted, played by the same scheduler and artwork pipeline as a session, without MQTT
// (no views are reported, no commands arrive). The machine starts it on its Display while registering
// and stops it while the code is on the panel; each start builds the pipeline and scheduler afresh, so a
// stopped preview holds no socket, timer or frame cache.

import { AVAILABLE_DECODERS } from "../art/decoders.js";
import { ArtworkPipeline } from "../art/pipeline.js";
import type { Display } from "../display/display.js";
import { Scheduler } from "../makapix/scheduler.js";
import { HttpClient } from "../net/http.js";
import type { Host } from "../ports.js";
import { apiSite } from "./boot-screens.js";
import type { Preview } from "./boot-services.js";
import { enabledDecoders, memoryClassProfile, type MemoryClass } from "./memory-class.js";
import { PromotedFeedClient, type PromotedFeedOptions } from "./promoted-feed.js";

export interface FeedPreviewOptions {
  /** The Makapix API and its CA (the promoted feed). */
  feed: PromotedFeedOptions;
  memoryClass: MemoryClass;
  /** The vault the artworks' renditions come from, and its CA when it differs from the API's. */
  vault: { readonly url: string; readonly ca?: string };
  /**
   * The API whose host the code screen names (read at each redraw, so an API set over serial shows
   * at once, as registration uses it); default: the feed's.
   */
  siteApiBase?: () => string;
}

export class FeedPreview implements Preview {
  readonly #host: Host;
  readonly #options: FeedPreviewOptions;
  #running: { feed: PromotedFeedClient; pipeline: ArtworkPipeline; scheduler: Scheduler } | undefined;

  constructor(host: Host, options: FeedPreviewOptions) {
    const memory = memoryClassProfile(options.memoryClass);
    if (!memory) throw new RangeError(`unknown memory class ${options.memoryClass}`);
    this.#host = host;
    this.#options = options;
    new PromotedFeedClient(host, options.feed); // checks the API base now rather than at every start
  }

  /** The host of the API in use, as the code screen names it. */
  site(): string {
    const options = this.#options;
    return apiSite(options.siteApiBase ? options.siteApiBase() : options.feed.apiBase);
  }

  get playing(): boolean {
    return this.#running !== undefined;
  }

  start(display: Display): void {
    this.stop();
    const host = this.#host;
    const options = this.#options;
    const memory = memoryClassProfile(options.memoryClass)!;
    const feed = new PromotedFeedClient(host, options.feed);
    // The feed's art_url points at the API's site: without a CA of the vault's own, the API's serves both.
    const http = new HttpClient(host, { ca: options.vault.ca ?? options.feed.ca });
    const pipeline = new ArtworkPipeline(host, http, display, {
      rendition: { vault: options.vault.url, memoryClass: memory.name, decoders: enabledDecoders(memory, AVAILABLE_DECODERS) },
      frameBudgetBytes: memory.frameBudgetBytes,
      ...(host.inflate ? { inflate: host.inflate } : {}),
      ...(host.artKernels ? { kernels: host.artKernels } : {}),
    });
    const scheduler = new Scheduler(host, pipeline, feed.queryPosts, { pageSize: options.feed.pageSize ?? 20 });
    this.#running = { feed, pipeline, scheduler };
    display.setPaused(false);
    scheduler.playChannel({ name: "promoted" });
  }

  stop(): void {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    running.scheduler.stop();
    running.feed.cancel();
    running.pipeline.close();
  }
}
