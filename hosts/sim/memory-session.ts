// Where the memory report reads the heap during a session (hosts/sim/memory.ts says how): each stage as
// it is first used, and each artwork as it loads and shows. The marks:
//   assembled    the device made (display, pipeline, HTTP client, player with its MQTT client,
//                request broker and scheduler), nothing connected
//   connected    the MQTT session up (TLS, socket, MQTT state)
//   first-reply  the first reply parsed and an artwork chosen (JSON reader, requests, scheduler page)
//   load-start   an artwork is handed to the pipeline (per artwork)
//   load-peak    the highest sample while it downloaded and decoded (decoder, HTTP, cache filling)
//   shown        it is on the panel and fully decoded (the pipeline shows the first frame while the
//                rest decodes: the mark waits for `loaded`, so the decoder is let go); with the frame
//                caches' own byte count
//   session      the highest sample and deepest stack so far (after every artwork)
// `format` is the first rendition the class fetches for the post; when that one fails, the pipeline's
// fallback to the next shows in the app's log ("trying the next rendition"), not in the record.

import { AVAILABLE_DECODERS } from "../../src/art/decoders.js";
import { chooseRenditions } from "../../src/art/rendition.js";
import type { PlayerDevice } from "../../src/device/device.js";
import { enabledDecoders } from "../../src/device/memory-class.js";
import type { ArtworkPost, StageListener } from "../../src/art/artwork.js";
import type { MemoryReport } from "./memory.js";

/** Marks the session's stages on `memory`; after `artworks` artworks it traces `SIM-MEMORY-DONE`. */
export function reportMemory(memory: MemoryReport, device: PlayerDevice, artworks: number): void {
  const { pipeline, config } = device;
  const renditions = { vault: config.vault.url, memoryClass: config.memory.name, decoders: enabledDecoders(config.memory, AVAILABLE_DECODERS) };
  memory.mark("assembled");
  let connected = false;
  device.player.observe({
    sessionChanged: (state) => {
      if (state !== "connected" || connected) return;
      connected = true;
      memory.mark("connected");
    },
  });
  let shows = 0;
  let shown = 0;
  // The scheduler calls the pipeline's show(); an own property wraps it for this report only. Defined,
  // not assigned: the preloaded prototype is frozen, and assigning over a frozen method throws.
  const show = pipeline.show.bind(pipeline);
  const reportingShow = (artwork: ArtworkPost, listener: StageListener) => {
    if (shows++ === 0) memory.mark("first-reply");
    const format = chooseRenditions(artwork, renditions)[0]?.format ?? "none";
    memory.mark("load-start", { postId: artwork.postId, format });
    memory.resetWindow();
    let animated = false;
    show(artwork, {
      shown: (info) => {
        animated = info.animated;
        listener.shown(info);
      },
      animationFound: () => {
        animated = true;
        listener.animationFound?.();
      },
      loaded: () => {
        memory.window("load-peak", { postId: artwork.postId, format });
        shown++;
        memory.mark("shown", { postId: artwork.postId, format, animated, count: shown });
        memory.session({ count: shown });
        if (shown === artworks) trace("SIM-MEMORY-DONE\n");
        listener.loaded?.();
      },
      loopCompleted: () => listener.loopCompleted(),
      failed: (reason) => {
        memory.mark("failed", { postId: artwork.postId, format });
        listener.failed(reason);
      },
    });
  };
  Object.defineProperty(pipeline, "show", { value: reportingShow });
  memory.startSampling(() => pipeline.frameCacheBytes);
}
