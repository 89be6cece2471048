// The BMP decoder's row conversion in TypeScript: the portable default and the oracle of the native
// twin (hosts/moddable/native/bmp_kernels.c; docs/native-kernels.md). The loops are the ones that were
// in bmp.ts; a palette index beyond the palette is returned, and bmp.ts throws the error.

import type { BmpKernels } from "../ports.js";

/** A bit field of a BMP pixel: its mask, where it starts, its maximum value (0: absent) and width in bits. */
export interface BmpChannel {
  mask: number;
  shift: number;
  maximum: number;
  bits: number;
}

/** The field a mask selects; `maximum & (maximum + 1)` is not 0 when the mask is not contiguous. */
export function bmpChannel(mask: number): BmpChannel {
  if (mask === 0) return { mask: 0, shift: 0, maximum: 0, bits: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const maximum = mask >>> shift;
  return { mask, shift, maximum, bits: 32 - Math.clz32(maximum) };
}

export const tsBmpKernels: BmpKernels = Object.freeze({
  /** Copied byte by byte (per pixel, `field` four times cost about 9,000 XS instructions; this, about a tenth of that). */
  byteRow(row: Uint8Array, rgba: Uint8Array, width: number, bytesPerPixel: number, hasAlpha: boolean): void {
    for (let x = 0, at = 0, out = 0; x < width; x++, at += bytesPerPixel, out += 4) {
      rgba[out] = row[at + 2]!;
      rgba[out + 1] = row[at + 1]!;
      rgba[out + 2] = row[at]!;
      rgba[out + 3] = hasAlpha ? row[at + 3]! : 255;
    }
  },

  fieldRow(row: Uint8Array, rgba: Uint8Array, width: number, bytesPerPixel: number, masks: Uint32Array): void {
    const red = bmpChannel(masks[0]!);
    const green = bmpChannel(masks[1]!);
    const blue = bmpChannel(masks[2]!);
    const alpha = bmpChannel(masks[3]!);
    const hasAlpha = alpha.mask !== 0;
    for (let x = 0, at = 0, out = 0; x < width; x++, at += bytesPerPixel, out += 4) {
      const value =
        bytesPerPixel === 2
          ? row[at]! | (row[at + 1]! << 8)
          : bytesPerPixel === 3
            ? row[at]! | (row[at + 1]! << 8) | (row[at + 2]! << 16)
            : (row[at]! | (row[at + 1]! << 8) | (row[at + 2]! << 16) | (row[at + 3]! << 24)) >>> 0;
      rgba[out] = field(value, red);
      rgba[out + 1] = field(value, green);
      rgba[out + 2] = field(value, blue);
      rgba[out + 3] = hasAlpha ? field(value, alpha) : 255;
    }
  },

  indexedRow(row: Uint8Array, rgba: Uint8Array, width: number, bitsPerPixel: number, palette: Uint8Array, entryBytes: number, entries: number): number {
    const mask = (1 << bitsPerPixel) - 1;
    // Pixels are packed from the byte's high bits down; each byte is read once.
    for (let x = 0, at = 0, out = 0; x < width; at++) {
      const byte = row[at]!;
      for (let shift = 8 - bitsPerPixel; shift >= 0 && x < width; shift -= bitsPerPixel, x++, out += 4) {
        const index = (byte >> shift) & mask;
        if (index >= entries) return index;
        const entry = index * entryBytes;
        rgba[out] = palette[entry + 2]!;
        rgba[out + 1] = palette[entry + 1]!;
        rgba[out + 2] = palette[entry]!;
        rgba[out + 3] = 255;
      }
    }
    return -1;
  },
});

/** A bit field widened to 8 bits by bit replication (as ImageMagick and browsers do: 5-bit 31 → 255). */
function field(value: number, channel: BmpChannel): number {
  if (channel.maximum === 0) return 0;
  const raw = (value & channel.mask) >>> channel.shift;
  const bits = channel.bits;
  if (bits >= 8) return raw >>> (bits - 8);
  let widened = raw << (8 - bits);
  for (let filled = bits; filled < 8; filled += bits) widened |= widened >>> filled;
  return widened & 0xff;
}
