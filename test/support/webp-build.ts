// Portable helpers for WebP tests: the deterministic art the fixtures were made from, RIFF chunk
// builders for hand-made files, base64, and a hash for comparing decoded pixels with a reference's
// (the reference compositor for animations is test/support/reference-compose.ts).

import { concatBytes, xorshiftRandom } from "./bytes.js";


/** Smooth colours with noise, and alpha from 0 to 255 (with colour under alpha 0). */
export function gradientArt(width: number, height: number, seed: number): Uint8Array {
  const random = xorshiftRandom(seed);
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      out[i] = (x * 9 + y * 2) & 255;
      out[i + 1] = (y * 7 + Math.floor(random() * 12)) & 255;
      out[i + 2] = (((x >> 2) + (y >> 2)) & 1) * 160 + Math.floor(random() * 40);
      out[i + 3] = x === 0 ? 0 : y === 0 ? 128 : 255 - ((x * y) & 63);
    }
  }
  return out;
}

/** Pixel art with `colours` distinct RGBA colours (one of them transparent), in blocks and stripes. */
export function paletteArt(width: number, height: number, colours: number, seed: number): Uint8Array {
  const random = xorshiftRandom(seed);
  const palette: number[][] = [];
  for (let c = 0; c < colours; c++) palette.push([Math.floor(random() * 256), Math.floor(random() * 256), Math.floor(random() * 256), c === 1 ? 0 : 255]);
  if (colours > 1) palette[1] = [0, 0, 0, 0];
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = ((x >> 2) + (y >> 1) * 3 + (((x * y) >> 4) & 1)) % colours;
      out.set(palette[index]!, (y * width + x) * 4);
    }
  }
  return out;
}

/** `count` frames of a sprite moving over a background; odd frames punch a transparent hole. */
export function animationFrames(width: number, height: number, count: number): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let f = 0; f < count; f++) {
    const frame = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        const sprite = x >= f * 3 && x < f * 3 + 6 && y >= 4 && y < 10;
        const hole = f % 2 === 1 && x >= width - 5 && y >= height - 4;
        frame[i] = sprite ? 250 : 20 + x * 4;
        frame[i + 1] = sprite ? 10 : y * 9;
        frame[i + 2] = sprite ? 40 : 120;
        frame[i + 3] = hole ? 0 : 255;
      }
    }
    frames.push(frame);
  }
  return frames;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let count = 0;
  let at = 0;
  for (let i = 0; i < clean.length; i++) {
    bits = (bits << 6) | BASE64.indexOf(clean[i]!);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[at++] = (bits >> count) & 0xff;
    }
  }
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[n >> 18]! + BASE64[(n >> 12) & 63]! + (i + 1 < bytes.length ? BASE64[(n >> 6) & 63]! : "=") + (i + 2 < bytes.length ? BASE64[n & 63]! : "=");
  }
  return out;
}

/** FNV-1a over bytes, as 8 hex digits. */
export function hashBytes(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}


export function le(value: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (value >>> (8 * i)) & 0xff;
  return out;
}

/** A RIFF chunk with its padding byte. */
export function chunk(type: string, payload: Uint8Array): Uint8Array {
  const header = new Uint8Array(8);
  for (let i = 0; i < 4; i++) header[i] = type.charCodeAt(i);
  header.set(le(payload.length, 4), 4);
  return concatBytes([header, payload, payload.length & 1 ? new Uint8Array(1) : new Uint8Array(0)]);
}

export function riff(chunks: Uint8Array[]): Uint8Array {
  const body = concatBytes(chunks);
  return concatBytes([Uint8Array.of(0x52, 0x49, 0x46, 0x46), le(body.length + 4, 4), Uint8Array.of(0x57, 0x45, 0x42, 0x50), body]);
}

export function vp8x(flags: number, width: number, height: number): Uint8Array {
  return chunk("VP8X", concatBytes([Uint8Array.of(flags, 0, 0, 0), le(width - 1, 3), le(height - 1, 3)]));
}

export function anim(loopCount: number, background = 0): Uint8Array {
  return chunk("ANIM", concatBytes([le(background, 4), le(loopCount, 2)]));
}

export function anmf(frame: { x: number; y: number; width: number; height: number; duration: number; flags: number }, body: Uint8Array[]): Uint8Array {
  return chunk("ANMF", concatBytes([le(frame.x / 2, 3), le(frame.y / 2, 3), le(frame.width - 1, 3), le(frame.height - 1, 3), le(frame.duration, 3), Uint8Array.of(frame.flags), ...body]));
}

/** The chunks of a RIFF/WEBP file (type and payload), top level only. */
export function chunksOf(file: Uint8Array): { type: string; payload: Uint8Array }[] {
  const out: { type: string; payload: Uint8Array }[] = [];
  let at = 12;
  while (at + 8 <= file.length) {
    const type = String.fromCharCode(file[at]!, file[at + 1]!, file[at + 2]!, file[at + 3]!);
    const size = file[at + 4]! | (file[at + 5]! << 8) | (file[at + 6]! << 16) | (file[at + 7]! << 24);
    out.push({ type, payload: file.subarray(at + 8, at + 8 + size) });
    at += 8 + size + (size & 1);
  }
  return out;
}
