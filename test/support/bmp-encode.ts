// A small BMP writer for decoder tests: every depth, palettes, bit fields, both row orders and the
// header sizes found in the wild.

export interface BmpSpec {
  width: number;
  height: number;
  bitsPerPixel: 1 | 4 | 8 | 16 | 24 | 32;
  /** Per pixel: a palette index (≤ 8 bpp) or 0xAARRGGBB (direct colour). */
  pixels: number[];
  /** Palette as 0xRRGGBB, for ≤ 8 bpp. */
  palette?: number[];
  topDown?: boolean;
  /** 12 (OS/2 core), 40, 108 (V4) or 124 (V5). */
  infoSize?: 12 | 40 | 108 | 124;
  /** Bit fields [r, g, b, a?] (16/32 bpp): BI_BITFIELDS, or ALPHABITFIELDS with 4 masks and a 40-byte header. */
  masks?: number[];
  /** Extra bytes between the headers and the pixels. */
  gap?: number;
}

export function encodeBmp(spec: BmpSpec): Uint8Array {
  const infoSize = spec.infoSize ?? 40;
  const core = infoSize === 12;
  const bpp = spec.bitsPerPixel;
  const palette = spec.palette ?? [];
  const entryBytes = core ? 3 : 4;
  const masksAfterHeader = spec.masks && infoSize === 40 ? spec.masks.length * 4 : 0;
  const stride = Math.ceil((spec.width * bpp) / 32) * 4;
  const pixelOffset = 14 + infoSize + masksAfterHeader + palette.length * entryBytes + (spec.gap ?? 0);
  const size = pixelOffset + stride * spec.height;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  view.setUint32(2, size, true);
  view.setUint32(10, pixelOffset, true);
  view.setUint32(14, infoSize, true);
  if (core) {
    view.setUint16(18, spec.width, true);
    view.setUint16(20, spec.height, true);
    view.setUint16(22, 1, true);
    view.setUint16(24, bpp, true);
  } else {
    view.setInt32(18, spec.width, true);
    view.setInt32(22, spec.topDown ? -spec.height : spec.height, true);
    view.setUint16(26, 1, true);
    view.setUint16(28, bpp, true);
    const compression = spec.masks ? (spec.masks.length === 4 && infoSize === 40 ? 6 : 3) : 0;
    view.setUint32(30, compression, true);
    view.setUint32(34, stride * spec.height, true);
    view.setUint32(46, palette.length, true);
    if (spec.masks && infoSize >= 52) spec.masks.forEach((mask, i) => view.setUint32(54 + i * 4, mask >>> 0, true));
  }
  let at = 14 + infoSize;
  if (masksAfterHeader) for (const mask of spec.masks!) (view.setUint32(at, mask >>> 0, true), (at += 4));
  for (const color of palette) {
    out[at] = color & 0xff;
    out[at + 1] = (color >> 8) & 0xff;
    out[at + 2] = (color >> 16) & 0xff;
    at += entryBytes;
  }
  for (let row = 0; row < spec.height; row++) {
    const y = spec.topDown ? row : spec.height - 1 - row;
    const base = pixelOffset + row * stride;
    for (let x = 0; x < spec.width; x++) {
      const value = spec.pixels[y * spec.width + x]!;
      if (bpp <= 8) {
        const bit = x * bpp;
        out[base + (bit >> 3)]! |= value << (8 - bpp - (bit & 7));
      } else if (bpp === 16) view.setUint16(base + x * 2, value, true);
      else if (bpp === 24) {
        out[base + x * 3] = value & 0xff;
        out[base + x * 3 + 1] = (value >> 8) & 0xff;
        out[base + x * 3 + 2] = (value >> 16) & 0xff;
      } else view.setUint32(base + x * 4, value >>> 0, true);
    }
  }
  return out;
}
