// The firmware core reaches the outside world only through these interfaces. They are shaped like
// ECMA-419 (the embedded JS I/O standard Moddable implements) so that each host binding stays thin:
// hosts/node binds them to node:net/node:tls, hosts/moddable to embedded:io/socket/tcp(/tls).
// (Over 400 lines on purpose: every port in one place is the whole contract a host must bind; it holds
// interfaces and their documentation only, no code.)

/**
 * Why a socket failed, as the host knows it (never guessed from the text): "dns" the name did not
 * resolve; "tls" the TLS layer failed (handshake, certificate, alert, a bad record, unusable
 * credentials); "network" anything else (refused, reset, closed by the peer, a failed write).
 */
export type SocketErrorCause = "dns" | "tls" | "network";

/** Called by a socket. Like ECMA-419, the first `onWritable` means "connected". */
export interface SocketHandlers {
  /**
   * `count` bytes can be written now: a level (the room left in the socket's send buffer), not an
   * increment. The first call also means the connection is established (TLS: handshake done); later
   * calls come when room was freed. After writing n bytes the caller may assume `count - n` are left
   * until the next call. A TLS socket reports what its records can carry, its overhead deducted.
   */
  onWritable(count: number): void;
  /** `count` bytes are waiting; call `read` to take them. */
  onReadable(count: number): void;
  /**
   * The connection failed or broke. `reason` is a short human-readable text (e.g. the TLS alert),
   * without a layer prefix; `cause` says which layer failed.
   */
  onError(reason: string, cause: SocketErrorCause): void;
}

export interface Socket {
  /** Copies up to `into.length` waiting bytes into `into`; returns how many were copied (0 = none). */
  read(into: Uint8Array): number;
  /**
   * Hands bytes to the socket for sending. The bytes may be reused by the caller as soon as this returns.
   * Never give it more than the room reported by the last `onWritable` less what was written since
   * (ECMA-419): a socket may throw ("would block", as the Moddable lwIP socket does) rather than buffer
   * the excess. src/util/socket-writer.ts keeps that count and queues the rest.
   */
  write(bytes: Uint8Array): void;
  /** Closes the connection; no handler is called afterwards. */
  close(): void;
}

export interface TcpOptions {
  host: string;
  port: number;
}

/** TLS credentials as PEM text (what provisioning delivers); a Moddable binding converts to DER once. */
export interface TlsOptions extends TcpOptions {
  /** CA certificate(s) that must have signed the server's certificate. */
  ca: string;
  /** Our client certificate, for mutual TLS. */
  certificate?: string;
  /** Our private key (unencrypted PKCS#8), for mutual TLS. */
  key?: string;
  /** Name checked against the server certificate; defaults to `host`. */
  serverName?: string;
}

export interface Network {
  connectTcp(options: TcpOptions, handlers: SocketHandlers): Socket;
  connectTls(options: TlsOptions, handlers: SocketHandlers): Socket;
}

export type TimerId = number;

export interface Timers {
  /** Calls `callback` once after `ms` milliseconds. */
  set(callback: () => void, ms: number): TimerId;
  /** Calls `callback` every `ms` milliseconds until cleared. */
  repeat(callback: () => void, ms: number): TimerId;
  clear(id: TimerId): void;
}

export interface Clock {
  /** Milliseconds from an arbitrary origin; never goes backwards. */
  monotonicMs(): number;
  /** Milliseconds since 1970 UTC, or undefined while the clock has not been synchronised. */
  wallTimeMs(): number | undefined;
}

export interface Random {
  /** Fills `bytes` with random bytes (cryptographic quality where the platform has it). */
  fill(bytes: Uint8Array): void;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Log {
  /** One line of text. Never pass secrets (private keys, full player keys). */
  write(level: LogLevel, message: string): void;
}

export interface PanelConfig {
  /** The whole display in pixels (chained panels included), e.g. 64×64 or 128×32. */
  width: number;
  height: number;
  /** Bits per colour channel the panel shows (Binary Code Modulation depth, 4–8). */
  colorDepth: number;
  /** How the panel's electronics are driven; an absent field keeps the board's default. */
  drive?: PanelDrive;
}

/** HUB75 driver chip families (docs/hub75.md "Driver chips"). */
export type PanelDriverChip = "shiftreg" | "fm6126a" | "icn2038s" | "fm6124" | "mbi5124" | "dp3246";
export type PanelChainLayout = "row" | "serpentine" | "zigzag";

/**
 * The panel's wiring and timing, as the device settings keep them (src/device/panel-drive.ts checks
 * them) and the panel wizard finds them. A PixelPush that has no such electronics (an emulator)
 * ignores what it cannot model.
 */
export interface PanelDrive {
  readonly driver?: PanelDriverChip;
  /** Address rows (4, 8, 16, 32); fewer than height / 2 on a four-scan outdoor panel. */
  readonly scan?: number;
  readonly layout?: PanelChainLayout;
  /** Rows of panels of a serpentine or zigzag chain. */
  readonly chainRows?: number;
  /** Pixel clock wanted, Hz. */
  readonly clockHz?: number;
  /** Data changes on the rising clock edge. */
  readonly clockPhase?: boolean;
  /** OE-off clocks after each latch, 1–4. */
  readonly latchBlanking?: number;
  /** OE-off clocks before the address lines move to the next row, 1–8 (the ghosting fix). */
  readonly rowChangeBlank?: number;
  /** Upper bound of the brightness, percent (the power supply's limit). */
  readonly brightnessCeiling?: number;
}

export interface RefreshStats {
  framesPushed: number;
  /** Full-panel refreshes per second the driver achieves. */
  refreshHz: number;
}

/** The LED panel: takes whole frames, never single pixels. */
export interface PixelPush {
  begin(config: PanelConfig): void;
  /**
   * One frame, RGB888 packed row by row (width × height × 3 bytes, top-left first), after rotation
   * and mirroring. The bytes are copied or converted before this returns: the caller reuses them.
   * `still`: nothing is due to replace this frame (a single-frame artwork, a frame shown a second or
   * more, a paused or played-out animation, a status screen), so the driver may spend more on it —
   * the HUB75 driver alternates two dither phases every refresh (docs/hub75.md, Image quality).
   */
  push(frame: Uint8Array, still?: boolean): void;
  /** 0–100 %; the driver applies its gamma and per-board ceiling. */
  brightness: number;
  readonly stats: RefreshStats;
}

/** Receives decompressed bytes, synchronously, during `Inflater.push`/`finish`. */
export interface InflateOutput {
  /** The next decompressed bytes. `bytes` is the inflater's buffer: read it before returning, never keep it. */
  write(bytes: Uint8Array): void;
}

/**
 * A streaming zlib (RFC 1950) decompressor: compressed bytes in, in any slicing, decompressed bytes out
 * as chunks. Bad data throws `InflateError` (src/art/inflate-error.ts) with a reason.
 */
export interface Inflater {
  /** Decompresses `chunk`; output goes to `output.write`. Bytes after the end of the stream are an error. */
  push(chunk: Uint8Array, output: InflateOutput): void;
  /** No more input: throws `InflateError` ("truncated") unless the stream ended and its checksum matched. */
  finish(): void;
  /** True once the final block and the Adler-32 checksum have been read and checked. */
  readonly done: boolean;
  /** Starts a new stream, keeping the memory (the 32 KiB window) of this one. */
  reset(): void;
}

export interface InflateFactory {
  create(): Inflater;
}

/**
 * GIF's LZW code stream as a pull decoder: the caller lends compressed bytes and pulls colour indices
 * into its own buffer, a row at a time. src/art/lzw.ts is the TypeScript one (the default and the
 * oracle). Corrupt data throws `ImageDecodeError("corrupt", ...)` with the messages of src/art/lzw.ts.
 */
export interface LzwStream {
  /** Starts an image's data; `minCodeSize` outside 1..11 throws ("corrupt"). */
  begin(minCodeSize: number): void;
  /** Lends `bytes[start..end)`, read by the next `read` calls; the caller keeps them until they are read. */
  setInput(bytes: Uint8Array, start: number, end: number): void;
  /** Decodes indices into `out[pos..end)`; returns the new position (short: the lent input ran out or `ended`). */
  read(out: Uint8Array, pos: number, end: number): number;
  /** The end code has been read. */
  readonly ended: boolean;
}

/** The GIF decoder's per-pixel work (twins: src/art/lzw.ts, src/art/gif-kernels.ts). */
export interface GifKernels {
  /** A new LZW decoder with its fixed tables (one per GIF decoder). */
  createLzw(): LzwStream;
  /**
   * A frame's colours: `colours[i]` = RGB of `table[3i..3i+3)` with alpha 255, for all 256 indices (a
   * short table is zero-filled past its end: black); `colours[transparent] = 0` when `transparent` is
   * 0..255 (-1: none). `colours` holds RGBA bytes in memory order (a whole array).
   */
  palette(table: Uint8Array, transparent: number, colours: Uint32Array): void;
  /**
   * One row of colours: `rgba[i] = colours[indices[i]]` for `i < count`. Both word arrays hold RGBA
   * bytes in memory order (whole arrays, never views); `colours` has 256 entries.
   */
  expand(indices: Uint8Array, count: number, colours: Uint32Array, rgba: Uint32Array): void;
}

/** Where the sampled canvas lands on the panel: fixed per picture and panel (src/art/compositor.ts). */
export interface RenderLayout {
  /** Sampled canvas width * 4. */
  rowBytes: number;
  /** The picture on the logical panel. */
  left: number;
  top: number;
  width: number;
  height: number;
  logicalWidth: number;
  logicalHeight: number;
  /** Physical pixel of logical (0, 0) and the physical steps of one logical column and row. */
  origin: number;
  stepX: number;
  stepY: number;
  /** 0xRRGGBB for letterbox and transparency. */
  background: number;
}

/** The compositor's per-pixel work (twin: src/art/compositor-kernels.ts). Arrays are whole, never views. */
export interface CompositorKernels {
  /**
   * One delivered row onto the sampled canvas: for each sampled column in `[c0, c1)` whose source column
   * is delivered (`first + i * step`, `i < count`), the pixel `rgba[4i..]` replaces the canvas pixel at
   * `rowBase + 4 * column`, or (`over`) is blended over it with straight alpha.
   */
  compositeRow(canvas: Uint8Array, sourceX: Int16Array, rowBase: number, c0: number, c1: number, first: number, step: number, count: number, rgba: Uint8Array, over: boolean): void;
  /** The whole panel frame (RGB888) from the sampled canvas: scaled, letterboxed, oriented. */
  render(target: Uint8Array, canvas: Uint8Array, pictureColumn: Int16Array, pictureRow: Int16Array, layout: RenderLayout): void;
}

/**
 * The WebP decoder's per-pixel row work (twin: src/art/webp-kernels.ts): one call per row. RGBA words
 * hold R, G, B, A bytes in memory order; arrays are whole, never views.
 */
export interface WebpKernels {
  /** VP8L: `rgba[x]` = the ARGB pixel `argb[at + x]` (0xAARRGGBB as int32) as RGBA, for `x < width`. */
  argbRow(argb: Int32Array, at: number, width: number, rgba: Uint32Array): void;
  /** VP8L colour indexing left to the rows: `rgba[x] = palette[(argb[at + x] >> 8) & 255]`; `palette` holds 256 RGBA words. */
  paletteRow(argb: Int32Array, at: number, width: number, palette: Int32Array, rgba: Uint32Array): void;
  /**
   * VP8: rows `row` and `row + 1` of a `width` × `height` frame from its YUV 4:2:0 planes as RGBA
   * (src/art/webp-yuv.ts yuvRowPairToRgba), `row` odd or −1 (the two rows that share chroma rows):
   * row `row` into `top` when row ≥ 0, row `row + 1` into `bottom` when it is < height. Alpha 255, or
   * bits `alphaShift` .. + 7 of `alpha[alphaAt + x]` (alphaAt = row × width), the row below's at
   * `alphaAt + width + x`, when alpha is given.
   */
  yuvRowPair(
    yPlane: Uint8ClampedArray,
    uPlane: Uint8ClampedArray,
    vPlane: Uint8ClampedArray,
    yStride: number,
    uvStride: number,
    width: number,
    height: number,
    row: number,
    top: Uint32Array,
    bottom: Uint32Array,
    alpha: Uint8Array | Int32Array | undefined,
    alphaAt: number,
    alphaShift: number,
  ): void;
  /**
   * VP8: the loop filter of macroblock row `mby`, in place on the planes (src/art/webp-lossy-filter.ts):
   * macroblock `mby * mbWide + mbx` has filter level `levels[..]` (0: none) and filters its inner edges
   * when `inner[..]` is 1; `sharpness` and `simple` are the frame's. Rows are filtered top to bottom.
   */
  filterRow(
    yPlane: Uint8ClampedArray,
    uPlane: Uint8ClampedArray,
    vPlane: Uint8ClampedArray,
    yStride: number,
    uvStride: number,
    mbWide: number,
    mby: number,
    levels: Uint8Array,
    inner: Uint8Array,
    sharpness: number,
    simple: boolean,
  ): void;
  /**
   * VP8: macroblock (`mbx`, `mby`) predicted and its residue added, luma and chroma
   * (src/art/webp-lossy-reconstruct.ts): `yMode` / `subModes` (16, for B_PRED) / `uvMode` its modes,
   * `coeffs` (25 × 16) its dequantised coefficients with the Y2 DCs folded in, `blockAc` (24) per block
   * whether it may have AC coefficients; `above` (21) and `left` (16) are scratch.
   */
  reconstruct(
    yPlane: Uint8ClampedArray,
    uPlane: Uint8ClampedArray,
    vPlane: Uint8ClampedArray,
    yStride: number,
    uvStride: number,
    mbWide: number,
    mbx: number,
    mby: number,
    yMode: number,
    subModes: Uint8Array,
    uvMode: number,
    coeffs: Int16Array,
    blockAc: Uint8Array,
    above: Uint8Array,
    left: Uint8Array,
  ): void;
  // Entropy decoding (docs/native-kernels.md): optional, without a TypeScript member. The decoders run
  // their own TypeScript loops when a kernel is absent (tsWebpKernels has neither), and those loops are
  // the oracle of the native ones.
  /**
   * VP8: every block's coefficient tokens of macroblock column `mbx` (src/art/webp-lossy.ts
   * #readResiduals): from the token partition's boolean decoder `bools` (read, then advanced),
   * dequantised by segment `segment`'s six factors in `quant` into `coeffs` (25 × 16, cleared by the
   * caller), with `blockAc` (24), the non-zero contexts `aboveNonZero` (9 per column) and
   * `leftNonZero` (9) updated and the Y2 block (`hasY2`) folded into the Y DCs. `probs`: the 1056
   * coefficient probabilities. `state`: 8 int32 the caller lends (the decoder's state crosses in it).
   * Returns whether any block had non-zero data.
   */
  /**
   * VP8: macroblock column `mbx`'s modes from the first partition's boolean decoder `bools` (read, then
   * advanced; src/art/webp-lossy-modes.ts readModes): its segment (read with `segmentProbs` when the map is
   * updated, else 0), skip flag (`skipProb` 0..255, or -1: none), luma mode with the 16 subblock modes
   * (`subModes`) and chroma mode; the subblock mode contexts `aboveModes` (4 per column) and `leftModes`
   * (4) updated. `state`: as for `residuals`. Returns segment | skip << 2 | yMode << 3 | uvMode << 6.
   */
  modes?(
    bools: Vp8BoolState,
    state: Int32Array,
    segmentProbs: Uint8Array | undefined,
    skipProb: number,
    mbx: number,
    subModes: Uint8Array,
    aboveModes: Uint8Array,
    leftModes: Uint8Array,
  ): number;
  residuals?(
    bools: Vp8BoolState,
    state: Int32Array,
    probs: Uint8Array,
    quant: Int32Array,
    segment: number,
    coeffs: Int16Array,
    blockAc: Uint8Array,
    aboveNonZero: Uint8Array,
    leftNonZero: Uint8Array,
    mbx: number,
    hasY2: boolean,
  ): boolean;
  /**
   * VP8L: the entropy-coded pixels of an image or sub-image (src/art/webp-lossless.ts #entropyCoded,
   * after its prefix codes are read), `xsize` × `ysize` ARGB pixels into `out` from `base` on, read with
   * `bits` (advanced). `pool` / `groups`: the prefix codes and each group's five code offsets; `entropy`
   * (blocks of `1 << prefixBits`, `entropyWidth` a row) picks a pixel's group, or none (group 0); a colour
   * cache of `cacheBits` bits (0: none). `state`: 8 int32 the caller lends. Corrupt data throws the
   * TypeScript loop's ImageDecodeError at the same point.
   */
  losslessPixels?(
    bits: Vp8lBitsState,
    state: Int32Array,
    pool: Uint16Array,
    groups: Int32Array,
    entropy: Int32Array | undefined,
    entropyWidth: number,
    prefixBits: number,
    cacheBits: number,
    out: Int32Array,
    base: number,
    xsize: number,
    ysize: number,
  ): void;
  /**
   * VP8L: one inverse transform, in place on the `width` × `height` image at `base` in `px`
   * (src/art/webp-transforms.ts): `type` 0 predictor, 1 colour, 2 subtract green (`data` unread), 3 colour
   * indexing (`data` the 256-entry table; with `bits` > 0 the packed image at `base` expands to 0).
   */
  losslessTransform?(type: number, px: Int32Array, base: number, width: number, height: number, bits: number, data: Int32Array): void;
}

/** The VP8 boolean decoder's state (src/art/webp-bool.ts BoolDecoder), read and written back by a kernel. */
export interface Vp8BoolState {
  data: Uint8Array;
  position: number;
  end: number;
  value: number;
  range: number;
  bitCount: number;
  padding: number;
}

/** The VP8L bit reader's state (src/art/webp-prefix.ts LosslessBits), read and written back by a kernel. */
export interface Vp8lBitsState {
  data: Uint8Array;
  position: number;
  end: number;
  bits: number;
  count: number;
  padding: number;
}

/**
 * Native pixel kernels where the platform has them (hosts/moddable: C under hosts/moddable/native).
 * Each part is optional and replaces its TypeScript twin bit for bit; the pattern for adding one is in
 * docs/native-kernels.md.
 */
export interface ArtKernels {
  gif?: GifKernels;
  compositor?: CompositorKernels;
  webp?: WebpKernels;
  png?: PngKernels;
  bmp?: BmpKernels;
}

/**
 * The BMP decoder's row conversion, one row of the file to RGBA, one call per row (TypeScript twin:
 * src/art/bmp-kernels.ts). `row` holds the row as the file has it (padding included), `rgba` receives
 * `width` pixels; the decoder picks the call by the row's layout.
 */
export interface BmpKernels {
  /**
   * Channels that are whole bytes, blue first (24/32-bit BI_RGB and the BGRA masks): `bytesPerPixel` 3
   * or 4; alpha is the fourth byte when `hasAlpha`, else 255.
   */
  byteRow(row: Uint8Array, rgba: Uint8Array, width: number, bytesPerPixel: number, hasAlpha: boolean): void;
  /**
   * Bit fields: each pixel a little-endian value of `bytesPerPixel` (2 to 4) bytes; `masks` (a whole
   * Uint32Array of 4) red, green, blue and alpha, each contiguous or 0 (absent: a colour is 0, alpha
   * 255); each field widened to 8 bits by bit replication (5-bit 31 → 255).
   */
  fieldRow(row: Uint8Array, rgba: Uint8Array, width: number, bytesPerPixel: number, masks: Uint32Array): void;
  /**
   * Palette indices of `bitsPerPixel` (1, 2, 4 or 8) bits, packed from each byte's high bits down;
   * `palette` holds `entries` entries of `entryBytes` (3 or 4) bytes, blue first. Returns -1, or the
   * first index ≥ `entries` (the pixels before it written, the rest not).
   */
  indexedRow(row: Uint8Array, rgba: Uint8Array, width: number, bitsPerPixel: number, palette: Uint8Array, entryBytes: number, entries: number): number;
}

/** The PNG decoder's per-row and per-chunk loops (TypeScript twin: src/art/png-kernels.ts). */
export interface PngKernels {
  /**
   * Undoes one scanline's filter in place (PNG §9): `row[0]` is the filter type, the row's bytes are
   * `row[1, length)`, `above` the previous reconstructed row in the same layout (zeros for the first),
   * `step` the bytes per complete pixel (at least 1). False for an unknown filter type (row untouched).
   */
  unfilter(row: Uint8Array, above: Uint8Array, length: number, step: number): boolean;
  /** CRC-32 (PNG's) continued over `bytes[start, end)` from the running value `crc`; unsigned. */
  crc32Update(crc: number, bytes: Uint8Array, start: number, end: number): number;
}

/** The string a JsonStringScanner fills (src/json/text.ts JsonText): a whole array, never a view. */
export interface JsonStringText {
  readonly units: Uint16Array;
  /** Code units held. */
  length: number;
  /** The string was longer than its limit: only its beginning is held. */
  truncated: boolean;
}

/** The inside of one JSON string at a time, in any slicing of the bytes (twin: src/json/strings.ts StringReader). */
export interface JsonStringScanner {
  /** The closing quote has been read. */
  readonly complete: boolean;
  /** Starts a string (after its opening quote), keeping at most `limit` code units (0..text capacity). */
  begin(limit: number, reject: boolean): void;
  /**
   * Reads `chunk[i..length)` into the text (`base`: stream offset of `chunk[0]`); returns where it stopped,
   * `length` or just after the closing quote (then `complete`). Bad input throws the JsonError
   * (src/json/errors.ts) the TypeScript twin throws, with the same code, message and offset.
   */
  scan(chunk: Uint8Array, i: number, length: number, base: number): number;
}

/**
 * The JSON tokenizer's per-byte work where the platform has it in native code (hosts/moddable:
 * json_kernels.c, json_scanner.c): one call per string per chunk and one per key matched, or with
 * createScanner one call per event the consumer sees; never one per byte. docs/native-kernels.md.
 */
export interface JsonKernels {
  /** A scanner filling `text` (one per tokenizer). */
  createStringScanner(text: JsonStringText): JsonStringScanner;
  /**
   * The index of the name `units[0..length)` equals in a packed name table (src/json/text.ts NameTable.packed:
   * the count, then each name as its length and its ASCII bytes), or -1. `units` is a whole array.
   */
  findName(units: Uint16Array, length: number, table: Uint8Array): number;
  /**
   * The tokenizer's whole loop (structure, numbers, literals, strings, and the values of keys a filter
   * leaves out) where the platform has it (twin: the TypeScript loop of src/json/tokenizer.ts). Without
   * it the tokenizer runs its own loop, with the two functions above for strings and keys.
   */
  createScanner?(text: JsonStringText, options: JsonScannerOptions): JsonScanner;
}

/** A JsonScanner's limits: JsonTokenizer's options, checked by it (src/json/tokenizer.ts). */
export interface JsonScannerOptions {
  readonly maxDepth: number;
  readonly maxKeyUnits: number;
  /** Limit (code units) and overflow of string values the consumer sets no limit for. */
  readonly defaultLimit: number;
  readonly defaultReject: boolean;
}

/**
 * One JSON document as a stream of events, read in any slicing of its bytes: the state between chunks
 * is the scanner's. Bad input throws the JsonError (src/json/errors.ts) the TypeScript tokenizer
 * throws, with the same code, message and offset.
 */
export interface JsonScanner {
  /**
   * Reads `chunk[i..length)` (`base`: stream offset of `chunk[0]`) up to the next event the consumer
   * must see: returns (where it stopped << 4) | event (src/json/scanner.ts EVENT_*), EVENT_NONE when the
   * chunk is used up. A key or string event has filled the text; a number event's value is `number`.
   */
  read(chunk: Uint8Array, i: number, length: number, base: number): number;
  /** The input ended at stream offset `base`: EVENT_NUMBER for a top-level number this completes, then EVENT_NONE; throws "truncated" if the value is incomplete. */
  end(base: number): number;
  /** The value of the last number event. */
  readonly number: number;
  /** Stream offset of the token of the last event. */
  readonly position: number;
  /** Objects and arrays open. */
  readonly depth: number;
  /** For the next value: keep at most `units` code units if it is a string (0..text capacity), beyond that truncate or reject. */
  limitNext(units: number, reject: boolean): void;
  /** The limit for string values the consumer sets none for. */
  setDefaultLimit(units: number, reject: boolean): void;
  /**
   * From now until it closes, only the keys of the innermost open object that are in `table` (a packed
   * name table, src/json/text.ts NameTable.packed) are events; the others are read with their values,
   * which are checked but give no event.
   */
  filterKeys(table: Uint8Array): void;
  /** Forgets the document: ready for a new one. */
  reset(): void;
}

/**
 * Small named values that survive a reboot: settings, and credentials as PEM text. Shaped like ECMA-419
 * key-value storage; one Storage is one namespace. Keys are 1–15 characters of `A-Z a-z 0-9 _ . -`
 * (the ESP32's NVS limit, enforced on every host so that nothing works only in the simulator). A value
 * is at most a few KB (the host says how much; a PEM fits in 4 KB). `write` replaces one value;
 * replacing a set of values atomically is built on top. Failures throw.
 */
export interface Storage {
  /** A copy of the bytes stored under `key`, or undefined when there is none. */
  read(key: string): Uint8Array | undefined;
  /** The value stored under `key` decoded as UTF-8, or undefined when there is none. */
  readText(key: string): string | undefined;
  /** Stores `value` (text is stored as UTF-8) under `key`, replacing what was there. */
  write(key: string, value: Uint8Array | string): void;
  /** Removes `key`; nothing happens when it is absent. */
  delete(key: string): void;
  /** The keys present, in no particular order. */
  keys(): string[];
}

/** Called by a serial port (ECMA-419 Serial, in buffer format). */
export interface SerialHandlers {
  /** `count` received bytes are waiting; call `read` to take them. */
  onReadable(count: number): void;
  /** `count` bytes can be written now without blocking. */
  onWritable(count: number): void;
  /** The port failed (unplugged, driver error); it is closed. */
  onError(reason: string): void;
}

/** A serial line to the user's PC (provisioning): bytes in, bytes out. One open stream at a time. */
export interface Serial {
  /** Opens the line; the stream's `read`/`write`/`close` behave as a Socket's. Throws when it can't open. */
  open(handlers: SerialHandlers): Socket;
}

/** Called by the Wi-Fi port. */
export interface WifiHandlers {
  /** The station joined the network and has an address: sockets can connect. */
  onConnected(): void;
  /**
   * The attempt failed or a live connection was lost (`reason`: short text). The port does not retry
   * by itself: the boot machine calls `connect` again after its back-off.
   */
  onDisconnected(reason: string): void;
}

/** The board's Wi-Fi station. A host without one (a PC, the simulator) is always online. */
export interface Wifi {
  /** Starts joining `ssid`, dropping any previous attempt or connection (its handlers are not called again). */
  connect(ssid: string, password: string, handlers: WifiHandlers): void;
  /** Leaves the network; no handler is called afterwards. */
  disconnect(): void;
}

/** Called by the time-sync port. */
export interface TimeSyncHandlers {
  /** The wall clock is right from now on (`Clock.wallTimeMs` is defined). */
  onSynchronized(): void;
  /** Every server failed; the port has stopped. */
  onError(reason: string): void;
}

/** Sets the wall clock from the network (SNTP on a device). A host whose clock is right needs none. */
export interface TimeSync {
  start(handlers: TimeSyncHandlers): void;
  /** Gives up the attempt in progress; no handler is called afterwards. */
  stop(): void;
}

/** Called by a push button. */
export interface ButtonHandlers {
  onPressed(): void;
  onReleased(): void;
}

/** A push button on the board (factory reset by a long press). */
export interface Button {
  /** Reports presses from now on; one watcher at a time. */
  watch(handlers: ButtonHandlers): void;
}

/** Everything the firmware core gets from the platform it runs on. */
export interface Host {
  network: Network;
  timers: Timers;
  clock: Clock;
  random: Random;
  log: Log;
  /** Native zlib inflate where the platform has one; the core falls back to src/art/inflate.ts. */
  inflate?: InflateFactory;
  /** Native pixel kernels (GIF, compositor) where the platform has them; the core falls back to TypeScript. */
  artKernels?: ArtKernels;
  /** Native JSON string scanning where the platform has it; the core falls back to src/json/strings.ts. */
  jsonKernels?: JsonKernels;
  /** Settings and credentials (the device-lifecycle work makes this required). */
  storage?: Storage;
  /** The provisioning line, where the board has one. */
  serial?: Serial;
  /** Wi-Fi, where the board has it; without it the network is always up. */
  wifi?: Wifi;
  /** Network time, where the clock needs it; without it the clock is taken as synchronised. */
  timeSync?: TimeSync;
  /** The factory-reset button, where the board has one. */
  button?: Button;
}
