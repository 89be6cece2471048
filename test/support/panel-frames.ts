// Runs a file through the artwork pipeline as the player does — createDecoder feeding a Compositor — for
// several panel geometries at once: one decoder, its sink calls handed to one compositor per geometry
// (each compositor sees exactly the calls it would see alone). Used by the panel-frame oracle in Node
// and by the XS parity workload, so both run the same code. Portable.

import { Compositor } from "../../src/art/compositor.js";
import { createDecoder } from "../../src/art/decoders.js";
import type { ImageSink } from "../../src/art/image.js";
import type { NativeFormat } from "../../src/art/artwork.js";
import { panelGeometry, type PanelGeometry } from "../../src/display/geometry.js";

/** The panels every file is checked on: each supported size the brief names, and a turned, mirrored one. */
export const PANEL_GEOMETRIES: readonly PanelGeometry[] = [panelGeometry("64x32"), panelGeometry("64x64"), panelGeometry("128x64"), panelGeometry("128x64", 270, true)];

/** A background that differs from every channel extreme, so letterbox and transparency show. */
export const PANEL_BACKGROUND = 0x203040;

export function describeGeometry(geometry: PanelGeometry): string {
  return `${geometry.width}x${geometry.height}${geometry.rotation ? ` r${geometry.rotation}` : ""}${geometry.mirror ? " mirrored" : ""}`;
}

/**
 * Decodes `bytes` pushed in slices of `slice` bytes and calls `onFrame(geometry, frame, panel)` for every
 * panel frame of every geometry (`panel` is only valid during the call). Throws what the decoder throws.
 */
export function decodeToPanels(
  format: NativeFormat,
  bytes: Uint8Array,
  geometries: readonly PanelGeometry[],
  background: number,
  onFrame: (geometry: number, frame: number, panel: Uint8Array) => void,
  slice = bytes.length,
): void {
  const compositors = geometries.map((geometry, g) => new Compositor({ geometry, background, onFrame: (panel, _delayMs, index) => onFrame(g, index, panel) }));
  const tee: ImageSink = {
    header: (header) => {
      for (const compositor of compositors) compositor.header(header);
    },
    frameStart: (frame) => {
      for (const compositor of compositors) compositor.frameStart(frame);
    },
    row: (y, x0, step, count, rgba) => {
      for (const compositor of compositors) compositor.row(y, x0, step, count, rgba);
    },
    frameEnd: () => {
      for (const compositor of compositors) compositor.frameEnd();
    },
    end: () => {
      for (const compositor of compositors) compositor.end();
    },
  };
  const decoder = createDecoder(format, tee);
  const step = Math.max(1, slice);
  for (let at = 0; at < bytes.length; at += step) decoder.push(bytes.subarray(at, at + step));
  decoder.finish();
}
