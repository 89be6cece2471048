// The host's ArtKernels on Moddable: the C kernels of hosts/moddable/native (listed in the manifest, so
// the simulator and ESP32 apps compile and link them), bound with native(...); the logic is in
// native-art.ts.

import type { ArtKernels } from "../../src/ports.js";
import { nativeArtKernels, type ArtNatives } from "./native-art.js";
import { nativeBmpKernels, type BmpNatives } from "./native-bmp.js";
import { nativePngKernels, type PngNatives } from "./native-png.js";

const natives = Object.freeze({
  lzwCreate: native("xs_art_lzw_create"),
  lzwBegin: native("xs_art_lzw_begin"),
  lzwSetInput: native("xs_art_lzw_set_input"),
  lzwRead: native("xs_art_lzw_read"),
  lzwFault: native("xs_art_lzw_fault"),
  lzwStatus: native("xs_art_lzw_status"),
  palette: native("xs_art_palette"),
  expand: native("xs_art_expand"),
  compositeRow: native("xs_art_composite_row"),
  render: native("xs_art_render"),
  webpArgbRow: native("xs_webp_argb_row"),
  webpPaletteRow: native("xs_webp_palette_row"),
  webpYuvRowPair: native("xs_webp_yuv_row_pair"),
  webpFilterRow: native("xs_webp_filter_row"),
  webpReconstruct: native("xs_webp_reconstruct"),
  webpModes: native("xs_webp_modes"),
  webpResiduals: native("xs_webp_residuals"),
  webpLosslessPixels: native("xs_webp_lossless_pixels"),
  webpLosslessTransform: native("xs_webp_lossless_transform"),
}) as unknown as ArtNatives;

// The PNG decoder's kernels (png_kernels_xs.c, wrapped by native-png.ts).
const pngNatives = Object.freeze({
  pngUnfilter: native("xs_png_unfilter"),
  pngCrc32: native("xs_png_crc32"),
}) as unknown as PngNatives;

// The BMP decoder's row conversion (bmp_kernels_xs.c, wrapped by native-bmp.ts).
const bmpNatives = Object.freeze({
  bmpByteRow: native("xs_bmp_byte_row"),
  bmpFieldRow: native("xs_bmp_field_row"),
  bmpIndexedRow: native("xs_bmp_indexed_row"),
}) as unknown as BmpNatives;

/** Pass as `Host.artKernels` on Moddable builds. */
export const moddableArtKernels: ArtKernels = Object.freeze({ ...nativeArtKernels(natives), png: nativePngKernels(pngNatives), bmp: nativeBmpKernels(bmpNatives) });
