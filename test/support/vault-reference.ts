// What a square panel should show for a still artwork of the demo vault: its file decoded by sharp (an
// independent decoder), onto black, sampled to the panel by nearest neighbour as the firmware places
// pictures. Node-only (sharp): for e2e tests that compare a device's panel frame with it.

import { join } from "node:path";
import sharp from "sharp";
import { placePicture, sourceIndex } from "../../src/display/geometry.js";
import type { ArtworkPost } from "../../tools/demo-service/catalogue-data.js";
import type { DemoService } from "../../tools/demo-service/service.js";

export async function expectedPanel(service: DemoService, post: ArtworkPost, size: number): Promise<Uint8Array> {
  const file = join(service.catalogue.vaultDir, post.storageShard, `${post.storageKey}.${post.nativeFormat}`);
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const place = placePicture(info.width, info.height, { width: size, height: size, rotation: 0, mirror: false });
  const frame = new Uint8Array(size * size * 3);
  for (let y = 0; y < place.height; y++) {
    for (let x = 0; x < place.width; x++) {
      const from = (sourceIndex(y, info.height, place.height) * info.width + sourceIndex(x, info.width, place.width)) * 4;
      frame.set(data.subarray(from, from + 3), ((place.top + y) * size + place.left + x) * 3);
    }
  }
  return frame;
}
