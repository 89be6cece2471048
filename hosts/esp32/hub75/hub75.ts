// HUB75 LED panel driver for the ESP32 (native module hub75_xs.c over the portable core hub75_core.c).
// The compositor hands over whole frames: RGB888, row-major, width * height * 3 bytes, already rotated
// and mirrored. The panel is refreshed by DMA with no CPU work; push() encodes a frame into the back
// buffer and the swap happens at the end of the refresh in progress (tear-free).
//
// Memory: the DMA blocks are allocated natively (Hub75Stats.dmaBytes, e.g. 87.9 KiB for 64x64 at
// 8 bits double buffered, 55.9 KiB single buffered); the JS object holds one reference to the last frame pushed (no copy).

export type Hub75Layout = "row" | "serpentine" | "zigzag";
export type Hub75Driver = "shiftreg" | "fm6126a" | "icn2038s" | "fm6124" | "mbi5124" | "dp3246";
export type Hub75Curve = "cie1931" | "gamma" | "linear";

/** GPIO numbers of the HUB75 connector. `e` is needed by 1/32-scan (64-row) panels only. */
export interface Hub75Pins {
  r1: number;
  g1: number;
  b1: number;
  r2: number;
  g2: number;
  b2: number;
  a: number;
  b: number;
  c: number;
  d: number;
  e?: number;
  lat: number;
  oe: number;
  clk: number;
}

/** Settings keys (manifest `config.hub75` or stored settings); see docs/hub75.md. */
export interface Hub75Config {
  panelWidth: number;
  /** Pixel rows of one panel: 16, 32 or 64. */
  panelHeight: number;
  /** Address rows: 4, 8, 16 or 32 (default panelHeight / 2); less than panelHeight / 2 for four-scan
   *  outdoor panels (e.g. 8 on a 32-row 1/8-scan panel). */
  scan?: number;
  /** Panels daisy-chained (default 1). */
  chain?: number;
  /** How the chained panels are laid out (default "row"); see docs/hub75.md. */
  layout?: Hub75Layout;
  /** Rows of panels for "serpentine" and "zigzag" (default 1); must divide `chain`. */
  chainRows?: number;
  /** Bits per colour channel, 4..8 (default 8). */
  depth?: number;
  /** Pixel clock wanted (default 20 MHz); the peripheral makes the fastest clock at or below it that an
   *  integer divider allows (stats().clockHz). See docs/hub75.md for Wi-Fi-friendly choices. */
  clockHz?: number;
  /** Clocks with OE off after each latch, 1..4 (default 1). */
  latchBlanking?: number;
  /** Ghosting fix: clocks with OE off before the address lines change to the next row, 1..8 (default
   *  1); raise it if a row ghosts into the next. */
  rowChangeBlank?: number;
  /** OE time of the least significant bit at 100 %, in 2-clock units, 1..16 (default 4). */
  lsbUnits?: number;
  /** Per-board limit in percent (power supply), 1..100 (default 100). */
  brightnessCeiling?: number;
  curve?: Hub75Curve;
  /** For curve "gamma" (default 2.2). */
  gamma?: number;
  driver?: Hub75Driver;
  doubleBuffer?: boolean;
  /** Sample data on the other clock edge (some driver chips need it). */
  clockPhase?: boolean;
  /** Ordered dithering of the corrected levels' fractional bits, moving with every push: dim colours
   *  keep their level and hue on average (docs/hub75.md, "Image quality"). Default false; a push costs
   *  about 1.25x the CPU time with it. */
  dither?: boolean;
  /** Brightness at start, percent (default 50). */
  brightness?: number;
  pins: Hub75Pins;
}

export interface Hub75Stats {
  refreshHz: number;
  /** The pixel clock the peripheral makes (at or below the one asked for). */
  clockHz: number;
  refreshes: number;
  pushes: number;
  swaps: number;
  rejected: number;
  dmaBytes: number;
  frameBytes: number;
  width: number;
  height: number;
  depth: number;
  /** Share of time the LEDs can be lit at 100 % brightness. */
  maxDuty: number;
}

/** A configuration value is missing or out of range; `reason` says which. */
export class Hub75ConfigError extends Error {
  // A field, not `this.name = ...`: in a Moddable app Error.prototype is frozen, and assigning a
  // property that a frozen prototype holds throws ("set name: not writable").
  override readonly name = "Hub75ConfigError";
  readonly reason: string;
  constructor(reason: string) {
    super(`HUB75 configuration: ${reason}`);
    this.reason = reason;
  }
}

// Frozen so that a preloaded module keeps them in flash (the linker warns about unfrozen tables).
const driverCodes: Readonly<Record<Hub75Driver, number>> = Object.freeze({
  shiftreg: 0,
  fm6126a: 1,
  icn2038s: 2,
  fm6124: 3,
  mbi5124: 4,
  dp3246: 5,
});
const layoutCodes: Readonly<Record<Hub75Layout, number>> = Object.freeze({ row: 0, serpentine: 1, zigzag: 2 });
const curveCodes: Readonly<Record<Hub75Curve, number>> = Object.freeze({ cie1931: 0, gamma: 1, linear: 2 });

/** The table's code for `key`, or undefined: own keys only, so "toString" is not a driver. */
function codeOf(table: Readonly<Record<string, number>>, key: string): number | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function integer(value: number | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new Hub75ConfigError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Plain numbers for the native side, which checks the ranges again. */
function normalise(config: Hub75Config): object {
  const driver = codeOf(driverCodes, config.driver ?? "shiftreg");
  const curve = codeOf(curveCodes, config.curve ?? "cie1931");
  if (driver === undefined) throw new Hub75ConfigError("driver must be shiftreg, fm6126a, icn2038s, fm6124, mbi5124 or dp3246");
  if (curve === undefined) throw new Hub75ConfigError("curve must be cie1931, gamma or linear");
  const layout = codeOf(layoutCodes, config.layout ?? "row");
  if (layout === undefined) throw new Hub75ConfigError("layout must be row, serpentine or zigzag");
  if (config.panelHeight !== 16 && config.panelHeight !== 32 && config.panelHeight !== 64) {
    throw new Hub75ConfigError("panelHeight must be 16, 32 or 64");
  }
  const scan = config.scan ?? config.panelHeight / 2;
  if (![4, 8, 16, 32].includes(scan) || scan * 2 > config.panelHeight || config.panelHeight / (2 * scan) > 4) {
    throw new Hub75ConfigError("scan must be 4, 8, 16 or 32, from panelHeight / 8 to panelHeight / 2");
  }
  const gamma = config.gamma ?? 2.2;
  if (typeof gamma !== "number" || !(gamma >= 1 && gamma <= 4)) throw new Hub75ConfigError("gamma must be 1.0 to 4.0");
  const pins = config.pins;
  if (typeof pins !== "object" || pins === null) throw new Hub75ConfigError("pins are required");
  return {
    panelWidth: integer(config.panelWidth, "panelWidth", 64, 8, 256),
    panelHeight: config.panelHeight,
    scan,
    chain: integer(config.chain, "chain", 1, 1, 16),
    layout,
    chainRows: integer(config.chainRows, "chainRows", 1, 1, 16),
    depth: integer(config.depth, "depth", 8, 4, 8),
    clockHz: integer(config.clockHz, "clockHz", 20_000_000, 1_000_000, 40_000_000),
    latchBlanking: integer(config.latchBlanking, "latchBlanking", 1, 1, 4),
    rowChangeBlank: integer(config.rowChangeBlank, "rowChangeBlank", 1, 1, 8),
    lsbUnits: integer(config.lsbUnits, "lsbUnits", 4, 1, 16),
    brightnessCeiling: integer(config.brightnessCeiling, "brightnessCeiling", 100, 1, 100),
    curve,
    gammaX100: Math.round(gamma * 100),
    driver,
    doubleBuffer: config.doubleBuffer === false ? 0 : 1,
    clockPhase: config.clockPhase ? 1 : 0,
    dither: config.dither ? 1 : 0,
    brightness: integer(config.brightness, "brightness", 50, 0, 100),
    pins,
  };
}

export default class Hub75 extends Native("xs_hub75_destructor") {
  #last: ArrayBuffer | undefined;
  #lastStill = false;

  constructor(config: Hub75Config) {
    super();
    native("xs_hub75_constructor").call(this, normalise(config));
  }

  /** Queues a whole frame; false if the previous swap did not complete (the DMA stalled). Throws a
   * RangeError for a frame of the wrong size. `still`: the frame stays on the panel; with `dither` and
   * double buffering it then alternates two dither phases every refresh (the call waits up to two
   * refreshes more for that). */
  push(frame: ArrayBuffer, still = false): boolean {
    const queued = native("xs_hub75_push").call(this, frame, still) === true;
    this.#last = frame;
    this.#lastStill = still;
    return queued;
  }

  get brightness(): number {
    return native("xs_hub75_get_brightness").call(this) as number;
  }

  /** 0..100 % (scaled by the board's ceiling). Shown with the next frame, so the last one is pushed
   * again (its buffer as it is now: the compositor's latest picture). */
  set brightness(percent: number) {
    native("xs_hub75_set_brightness").call(this, percent);
    if (this.#last) this.push(this.#last, this.#lastStill);
  }

  /** A pushed frame is waiting for the end of the refresh in progress. */
  get pending(): boolean {
    return native("xs_hub75_get_pending").call(this) === true;
  }

  stats(): Hub75Stats {
    return native("xs_hub75_stats").call(this) as Hub75Stats;
  }

  /** Stops the DMA, darkens the panel and frees the DMA memory. Further calls throw. */
  close(): void {
    native("xs_hub75_close").call(this);
    this.#last = undefined;
  }
}
