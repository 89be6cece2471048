// A minimal BMP writer: BITMAPINFOHEADER, 24 bits per pixel, bottom-up rows padded to 4 bytes —
// the layout of the service's BMP renditions (alpha already flattened onto white).

/** BMP file bytes for `rgb` (width × height × 3, top row first). */
export function encodeBmp24(width: number, height: number, rgb: Uint8Array): Uint8Array {
  if (rgb.length !== width * height * 3) throw new RangeError(`expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const dataOffset = 14 + 40;
  const fileBytes = dataOffset + rowBytes * height;
  const out = new Uint8Array(fileBytes);
  const view = new DataView(out.buffer);
  out[0] = 0x42; // "BM"
  out[1] = 0x4d;
  view.setUint32(2, fileBytes, true);
  view.setUint32(10, dataOffset, true);
  view.setUint32(14, 40, true); // BITMAPINFOHEADER size
  view.setInt32(18, width, true);
  view.setInt32(22, height, true); // positive: bottom-up
  view.setUint16(26, 1, true); // planes
  view.setUint16(28, 24, true); // bits per pixel
  view.setUint32(30, 0, true); // BI_RGB
  view.setUint32(34, rowBytes * height, true);
  view.setInt32(38, 2835, true); // 72 dpi
  view.setInt32(42, 2835, true);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const source = (y * width + x) * 3;
      out[row + x * 3] = rgb[source + 2]!; // stored as B, G, R
      out[row + x * 3 + 1] = rgb[source + 1]!;
      out[row + x * 3 + 2] = rgb[source]!;
    }
  }
  return out;
}
