// Runs inside XS for xs-panel-parity.test.ts (bundled by test/xs/heap.ts's bundleWorkload; Node
// prepends the input as a global):
//   PANEL_WORKLOAD = { background, slice, geometries: [PanelGeometry], files: [{ name, format, base64 }] }
// Each file goes through the same createDecoder + Compositor code as in Node (test/support/panel-frames.ts),
// pushed in `slice`-byte pieces as from a socket. Prints one line per panel frame:
//   PANEL ["<file>", <geometry index>, <frame index>, "<FNV-1a of the RGB888 frame>"]
// a line `PANEL-ERROR ["<file>", "<error>"]` for a file that throws, and `PANEL-DONE <files>` at the end
// (a run without it stopped early). The files travel as base64, decoded by xsnap's Base64 host object:
// XS walks a string from its start on every index, so decoding them in JavaScript would take seconds.

import type { PanelGeometry } from "../../src/display/geometry.js";
import type { NativeFormat } from "../../src/art/artwork.js";
import { decodeToPanels } from "../support/panel-frames.js";
import { hashBytes } from "../support/webp-build.js";

interface WorkloadFile {
  name: string;
  format: NativeFormat;
  base64: string;
}

declare const PANEL_WORKLOAD: { background: number; slice: number; geometries: PanelGeometry[]; files: WorkloadFile[] };
declare const Base64: { decode(text: string): ArrayBuffer };
declare function print(text: string): void;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

// One function call per file, so nothing of a finished file stays reachable.
function run(file: WorkloadFile): void {
  const bytes = new Uint8Array(Base64.decode(file.base64));
  try {
    decodeToPanels(file.format, bytes, PANEL_WORKLOAD.geometries, PANEL_WORKLOAD.background, (geometry, frame, panel) => {
      print(`PANEL ${JSON.stringify([file.name, geometry, frame, hashBytes(panel)])}`);
    }, PANEL_WORKLOAD.slice);
  } catch (error) {
    print(`PANEL-ERROR ${JSON.stringify([file.name, describe(error)])}`);
  }
}

for (const file of PANEL_WORKLOAD.files) run(file);
print(`PANEL-DONE ${PANEL_WORKLOAD.files.length}`);
