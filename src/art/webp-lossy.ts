import { ImageDecodeError } from "./image.js";

export class LossyDecoder {
  static header(data: Uint8Array, start: number): [number, number] {
    return [(data[start + 6]! | (data[start + 7]! << 8)) & 0x3fff, (data[start + 8]! | (data[start + 9]! << 8)) & 0x3fff];
  }
  decode(_data: Uint8Array, _start: number, _end: number, _width: number, _height: number): void {
    throw new ImageDecodeError("unsupported", "VP8 lossy");
  }
  rgbaRow(_y: number, _row: Uint8Array): void {}
}
