// A small GIF *encoder* for tests: builds files frame by frame with every knob a decoder test needs
// (palettes, interlace, transparency, disposal, delays, loop extension, LZW variants, broken data).
// Portable (runs inside XS too): no Node APIs.

export type LzwMode =
  /** Real LZW; a clear code when the table fills (what most encoders do). */
  | "compress"
  /** Real LZW that keeps sending 12-bit codes once the table is full, without a clear. */
  | "deferred-clear"
  /** Every index as a literal, with clears often enough that the code size never grows. */
  | "literal";

export interface FrameSpec {
  width: number;
  height: number;
  left?: number;
  top?: number;
  /** Colour indices, width * height, rows top to bottom (the encoder interlaces them if asked). */
  indices: ArrayLike<number>;
  /** RGB triplets; its presence makes a local colour table. */
  localPalette?: ArrayLike<number>;
  interlace?: boolean;
  /** A Graphic Control Extension is written when any of these is set (or `gce` is true). */
  delayCs?: number;
  dispose?: number;
  transparentIndex?: number;
  gce?: boolean;
  minCodeSize?: number;
  lzw?: LzwMode;
  omitEndCode?: boolean;
  /** Replaces the compressed data entirely (for corrupt streams). */
  data?: Uint8Array;
  /** Sub-block length for the image data (1..255, default 255). */
  subBlockSize?: number;
}

export interface GifSpec {
  width: number;
  height: number;
  /** RGB triplets for the global colour table (none when absent). */
  globalPalette?: ArrayLike<number>;
  /** NETSCAPE2.0 loop field; absent = no loop extension. */
  loop?: number;
  version?: "87a" | "89a";
  frames: FrameSpec[];
  /** Write the 0x3B trailer (default true). */
  trailer?: boolean;
  /** A comment extension written before the first frame. */
  comment?: string;
}

class ByteWriter {
  private bytes = new Uint8Array(1024);
  length = 0;
  byte(value: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = value & 255;
  }
  word(value: number): void {
    this.byte(value);
    this.byte(value >> 8);
  }
  all(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.byte(values[i]!);
  }
  ascii(text: string): void {
    for (let i = 0; i < text.length; i++) this.byte(text.charCodeAt(i));
  }
  subBlocks(data: ArrayLike<number>, size = 255): void {
    for (let at = 0; at < data.length; at += size) {
      const n = Math.min(size, data.length - at);
      this.byte(n);
      for (let i = 0; i < n; i++) this.byte(data[at + i]!);
    }
    this.byte(0);
  }
  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** log2 of the colour table size field: entries = 2 << field. */
function tableField(triplets: ArrayLike<number>): number {
  const entries = Math.max(2, Math.ceil(triplets.length / 3));
  let field = 0;
  while (2 << field < entries) field++;
  return field;
}

function writeTable(out: ByteWriter, triplets: ArrayLike<number>): void {
  const entries = 2 << tableField(triplets);
  for (let i = 0; i < entries * 3; i++) out.byte(i < triplets.length ? triplets[i]! : 0);
}

/** Row order of an interlaced image: passes starting at 0, 4, 2, 1 with steps 8, 8, 4, 2. */
export function interlaceOrder(height: number): number[] {
  const rows: number[] = [];
  const starts = [0, 4, 2, 1];
  const steps = [8, 8, 4, 2];
  for (let pass = 0; pass < 4; pass++) for (let y = starts[pass]!; y < height; y += steps[pass]!) rows.push(y);
  return rows;
}

/** LZW-compresses colour indices the GIF way (LSB-first codes, variable width up to 12 bits). */
export function lzwEncode(indices: ArrayLike<number>, minCodeSize: number, mode: LzwMode = "compress", omitEndCode = false): Uint8Array {
  const out = new ByteWriter();
  let bitBuffer = 0;
  let bitCount = 0;
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  let codeBits = minCodeSize + 1;
  let nextCode = end + 1;
  const emit = (code: number) => {
    bitBuffer |= code << bitCount;
    bitCount += codeBits;
    while (bitCount >= 8) {
      out.byte(bitBuffer & 255);
      bitBuffer >>>= 8;
      bitCount -= 8;
    }
  };
  emit(clear);
  if (mode === "literal") {
    const perClear = (1 << minCodeSize) - 2;
    if (perClear < 1) throw new Error("literal LZW needs minCodeSize >= 2");
    for (let i = 0; i < indices.length; i++) {
      if (i > 0 && i % perClear === 0) emit(clear);
      emit(indices[i]!);
    }
  } else if (indices.length > 0) {
    // The decoder adds its table entries one code later than the encoder and grows the code width
    // right after adding one; the first code after a clear adds nothing, so the width cannot grow
    // there (this only matters for minimum code size 1).
    const table = new Map<number, number>();
    let firstAfterClear = true;
    let prefix = indices[0]!;
    for (let i = 1; i < indices.length; i++) {
      const c = indices[i]!;
      const key = prefix * 256 + c;
      const found = table.get(key);
      if (found !== undefined) {
        prefix = found;
        continue;
      }
      emit(prefix);
      if (nextCode < 4096) {
        table.set(key, nextCode++);
        if (!firstAfterClear && nextCode > 1 << codeBits && codeBits < 12) codeBits++;
        firstAfterClear = false;
      } else if (mode === "compress") {
        emit(clear);
        table.clear();
        codeBits = minCodeSize + 1;
        nextCode = end + 1;
        firstAfterClear = true;
      }
      prefix = c;
    }
    emit(prefix);
    // The decoder adds one more entry on this last code; keep the width in step for the end code.
    if (nextCode < 4096 && !firstAfterClear) {
      nextCode++;
      if (nextCode > 1 << codeBits && codeBits < 12) codeBits++;
    }
  }
  if (!omitEndCode) emit(end);
  if (bitCount > 0) out.byte(bitBuffer & 255);
  return out.result();
}

function minCodeSizeFor(spec: FrameSpec, palette: ArrayLike<number> | undefined): number {
  if (spec.minCodeSize !== undefined) return spec.minCodeSize;
  let largest = 1;
  for (let i = 0; i < spec.indices.length; i++) largest = Math.max(largest, spec.indices[i]!);
  const entries = Math.max(palette ? palette.length / 3 : 0, largest + 1);
  let size = 2;
  while (1 << size < entries) size++;
  return size;
}

export function encodeGif(spec: GifSpec): Uint8Array {
  const out = new ByteWriter();
  out.ascii(`GIF${spec.version ?? "89a"}`);
  out.word(spec.width);
  out.word(spec.height);
  const global = spec.globalPalette;
  out.byte(global ? 0x80 | 0x70 | tableField(global) : 0x70);
  out.byte(0); // background colour index
  out.byte(0); // pixel aspect ratio
  if (global) writeTable(out, global);
  if (spec.loop !== undefined) {
    out.all([0x21, 0xff, 11]);
    out.ascii("NETSCAPE2.0");
    out.all([3, 1, spec.loop & 255, spec.loop >> 8, 0]);
  }
  if (spec.comment !== undefined) {
    out.all([0x21, 0xfe]);
    const text: number[] = [];
    for (let i = 0; i < spec.comment.length; i++) text.push(spec.comment.charCodeAt(i));
    out.subBlocks(text);
  }
  for (const frame of spec.frames) {
    if (frame.gce || frame.delayCs !== undefined || frame.dispose !== undefined || frame.transparentIndex !== undefined) {
      const transparent = frame.transparentIndex !== undefined;
      out.all([0x21, 0xf9, 4, ((frame.dispose ?? 0) << 2) | (transparent ? 1 : 0)]);
      out.word(frame.delayCs ?? 0);
      out.all([transparent ? frame.transparentIndex! : 0, 0]);
    }
    out.byte(0x2c);
    out.word(frame.left ?? 0);
    out.word(frame.top ?? 0);
    out.word(frame.width);
    out.word(frame.height);
    const local = frame.localPalette;
    out.byte((local ? 0x80 | tableField(local) : 0) | (frame.interlace ? 0x40 : 0));
    if (local) writeTable(out, local);
    const minCodeSize = minCodeSizeFor(frame, local ?? global);
    out.byte(minCodeSize);
    let ordered: ArrayLike<number> = frame.indices;
    if (frame.interlace) {
      const rows: number[] = [];
      for (const y of interlaceOrder(frame.height)) for (let x = 0; x < frame.width; x++) rows.push(frame.indices[y * frame.width + x]!);
      ordered = rows;
    }
    const data = frame.data ?? lzwEncode(ordered, minCodeSize, frame.lzw ?? "compress", frame.omitEndCode ?? false);
    out.subBlocks(data, frame.subBlockSize ?? 255);
  }
  if (spec.trailer ?? true) out.byte(0x3b);
  return out.result();
}
