// CRC-32 as PNG uses it (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320), over byte ranges so
// a chunk can be checked as it streams in. The 1 KiB table is built once, when the module loads.

// Built while the module loads: when preloaded, the table is computed at build time and stays in
// flash (a lazily built one would be module state written at run time).
const TABLE = makeTable();

function makeTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** The running value to start from (before the final inversion). */
export const CRC32_START = 0xffffffff;

/** Continues a running CRC over `bytes[start, end)`; finish with `crc32Final`. */
export function crc32Update(crc: number, bytes: Uint8Array, start: number, end: number): number {
  const t = TABLE;
  let c = crc;
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

export function crc32Final(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}
