// The panel wizard: finds a HUB75 panel's driver chip, scan mapping, clock phase and clock speed
// without a datasheet. Step by step it sets the panel up with one candidate after another
// (PixelPush.begin with PanelConfig.drive) and shows a test pattern that looks right only with the right
// candidate (src/display/test-patterns.ts); the person looking at it moves on (`next`, a short press)
// until it does, then takes it (`confirm`, a long press), or keeps what was set (`skip`). The last
// confirm hands the drive found to `finished`, which stores it (the settings store's atomic commit);
// `cancel` or no input for `idleTimeoutMs` ends it with nothing stored. The owner (the boot machine)
// then sets the panel up again from the store.
//
// The wizard owns the panel while it runs; it allocates one frame (width × height × 3 bytes).

import type { PanelConfig, PanelDrive, PixelPush, TimerId, Timers } from "../ports.js";
import { drawTestPattern, type TestPattern } from "../display/test-patterns.js";
import { errorMessage } from "../util/errors.js";
import { clockLabel, scanLabel } from "./panel-drive.js";

export type WizardStepName = "driver" | "scan" | "clockPhase" | "clockHz";

export interface WizardCandidate {
  /** What the panel's label shows ("FM6126A", "1/16", "10 MHz"). */
  readonly label: string;
  /** The drive fields this candidate sets. */
  readonly drive: PanelDrive;
}

export interface WizardStep {
  readonly name: WizardStepName;
  /** What the right candidate looks like, for the person choosing. */
  readonly hint: string;
  readonly pattern: TestPattern;
  readonly candidates: readonly WizardCandidate[];
}

export type WizardAction = "next" | "confirm" | "skip" | "cancel";
export type WizardState = "running" | "saved" | "cancelled" | "timed out" | "failed";

/** Where the wizard is, for the serial CLI and the tests. */
export interface WizardStatus {
  readonly state: WizardState;
  /** 1-based. */
  readonly stepNumber: number;
  readonly stepCount: number;
  readonly step: WizardStepName;
  readonly hint: string;
  /** 1-based. */
  readonly candidateNumber: number;
  readonly candidateCount: number;
  readonly candidate: string;
  /** The drive on the panel now (while running) or the one found (saved). */
  readonly drive: PanelDrive;
  /** Why the candidate on show could not be set up, or why saving failed. */
  readonly problem: string | undefined;
}

export interface WizardOutcome {
  readonly state: Exclude<WizardState, "running" | "failed">;
  readonly drive: PanelDrive;
}

export interface PanelWizardOptions {
  panel: PixelPush;
  timers: Timers;
  /** The panel's size and depth, and the drive it runs with now (where the wizard starts). */
  config: PanelConfig;
  /** Brightness while the patterns show (percent); default 50. */
  brightness?: number;
  /** The steps; default `wizardSteps(config.height / chainRows)`. */
  steps?: readonly WizardStep[];
  /** No action for this long ends the wizard as "timed out"; default 180 s. */
  idleTimeoutMs?: number;
  /** Animated patterns move one pixel this often; default 100 ms. */
  frameMs?: number;
  /**
   * The wizard ended. For "saved", store `outcome.drive` here; a throw makes the wizard "failed" with
   * the error's message (nothing was stored: the store's commit is atomic).
   */
  finished(outcome: WizardOutcome): void;
}

export const WIZARD_DEFAULTS = Object.freeze({ idleTimeoutMs: 180_000, frameMs: 100, brightness: 50 });

/** Chips by their set-up stream: the ICN2038S takes the FM6126A's, so it is not a candidate of its own. */
const DRIVER_CANDIDATES: readonly WizardCandidate[] = Object.freeze(
  (
    [
      ["PLAIN", "shiftreg"],
      ["FM6126A", "fm6126a"],
      ["FM6124", "fm6124"],
      ["MBI5124", "mbi5124"],
      ["DP3246", "dp3246"],
    ] as const
  ).map(([label, driver]) => Object.freeze({ label, drive: Object.freeze({ driver }) })),
);

const PHASE_CANDIDATES: readonly WizardCandidate[] = Object.freeze([
  Object.freeze({ label: "FALLING", drive: Object.freeze({ clockPhase: false }) }),
  Object.freeze({ label: "RISING", drive: Object.freeze({ clockPhase: true }) }),
]);

/** Fastest first: the person takes the fastest clean one. 8 MHz is the Wi-Fi-friendly clock (docs/hub75.md). */
const CLOCK_CANDIDATES: readonly WizardCandidate[] = Object.freeze(
  [20_000_000, 16_000_000, 10_000_000, 8_000_000].map((clockHz) => Object.freeze({ label: clockLabel(clockHz).replace(" ", ""), drive: Object.freeze({ clockHz }) })),
);

/** The scans one panel of `panelHeight` rows may have: panelHeight / 2 (ordinary) down to four-scan (q ≤ 4). */
export function scanCandidates(panelHeight: number): readonly WizardCandidate[] {
  const candidates: WizardCandidate[] = [];
  for (const scan of [32, 16, 8, 4]) {
    if (scan * 2 > panelHeight || panelHeight / (2 * scan) > 4) continue;
    candidates.push(Object.freeze({ label: scanLabel(scan), drive: Object.freeze({ scan }) }));
  }
  return Object.freeze(candidates);
}

/** The wizard's steps for panels of `panelHeight` rows, in the order they are best found. */
export function wizardSteps(panelHeight: number): readonly WizardStep[] {
  return Object.freeze([
    Object.freeze({ name: "driver" as const, pattern: "bars" as const, hint: "bright, even colour bars that do not flicker", candidates: DRIVER_CANDIDATES }),
    Object.freeze({ name: "scan" as const, pattern: "rows" as const, hint: "a closed white frame, red corner top left, rows numbered 8, 16, 24 downwards", candidates: scanCandidates(panelHeight) }),
    Object.freeze({ name: "clockPhase" as const, pattern: "stripes" as const, hint: "sharp one-pixel stripes and a white column at both edges", candidates: PHASE_CANDIDATES }),
    Object.freeze({ name: "clockHz" as const, pattern: "sweep" as const, hint: "moving lines with no sparkles: take the fastest clean clock", candidates: CLOCK_CANDIDATES }),
  ]);
}

export class PanelWizard {
  readonly #panel: PixelPush;
  readonly #timers: Timers;
  readonly #config: PanelConfig;
  readonly #steps: readonly WizardStep[];
  readonly #idleTimeoutMs: number;
  readonly #frameMs: number;
  readonly #brightness: number;
  readonly #finished: (outcome: WizardOutcome) => void;
  readonly #frame: Uint8Array;
  /** The drive confirmed so far (the starting one where a step was skipped). */
  #chosen: PanelDrive;
  #state: WizardState = "running";
  #step = 0;
  #candidate = 0;
  #tick = 0;
  #problem: string | undefined;
  #idleTimer: TimerId | undefined;
  #frameTimer: TimerId | undefined;

  constructor(options: PanelWizardOptions) {
    this.#panel = options.panel;
    this.#timers = options.timers;
    this.#config = options.config;
    this.#chosen = Object.freeze({ ...options.config.drive });
    const chainRows = this.#chosen.layout === undefined || this.#chosen.layout === "row" ? 1 : (this.#chosen.chainRows ?? 1);
    this.#steps = options.steps ?? wizardSteps(Math.floor(options.config.height / chainRows));
    if (this.#steps.length === 0 || this.#steps.some((step) => step.candidates.length === 0)) throw new RangeError("panel wizard: every step needs a candidate");
    this.#idleTimeoutMs = options.idleTimeoutMs ?? WIZARD_DEFAULTS.idleTimeoutMs;
    this.#frameMs = options.frameMs ?? WIZARD_DEFAULTS.frameMs;
    this.#brightness = options.brightness ?? WIZARD_DEFAULTS.brightness;
    this.#finished = options.finished;
    this.#frame = new Uint8Array(options.config.width * options.config.height * 3);
  }

  get running(): boolean {
    return this.#state === "running";
  }

  /** Shows the first step, at the candidate the panel runs with now (so an immediate confirm keeps it). */
  start(): void {
    this.#candidate = this.#currentCandidate();
    this.#show();
    this.#touch();
  }

  /** Carries out a person's action; ignored once the wizard has ended. */
  act(action: WizardAction): void {
    if (this.#state !== "running") return;
    switch (action) {
      case "next":
        this.#candidate = (this.#candidate + 1) % this.#steps[this.#step]!.candidates.length;
        this.#show();
        break;
      case "confirm":
        this.#chosen = this.#candidateDrive();
        this.#advance();
        break;
      case "skip":
        this.#advance();
        break;
      case "cancel":
        this.#end("cancelled");
        return;
    }
    if (this.#state === "running") this.#touch();
  }

  status(): WizardStatus {
    const step = this.#steps[this.#step]!;
    return Object.freeze({
      state: this.#state,
      stepNumber: this.#step + 1,
      stepCount: this.#steps.length,
      step: step.name,
      hint: step.hint,
      candidateNumber: this.#candidate + 1,
      candidateCount: step.candidates.length,
      candidate: step.candidates[this.#candidate]!.label,
      drive: this.#state === "running" ? this.#candidateDrive() : this.#chosen,
      problem: this.#problem,
    });
  }

  /** Ends the wizard without calling `finished` (the owner is shutting it down itself). */
  abort(): void {
    if (this.#state !== "running") return;
    this.#stopTimers();
    this.#state = "cancelled";
  }

  #advance(): void {
    if (this.#step + 1 >= this.#steps.length) {
      this.#end("saved");
      return;
    }
    this.#step++;
    this.#candidate = this.#currentCandidate();
    this.#show();
  }

  /** The candidate matching the drive chosen so far, or the first. */
  #currentCandidate(): number {
    const candidates = this.#steps[this.#step]!.candidates;
    const chosen = this.#chosen as { readonly [key: string]: unknown };
    const index = candidates.findIndex((candidate) => Object.entries(candidate.drive).every(([key, value]) => chosen[key] === value));
    return index < 0 ? 0 : index;
  }

  #candidateDrive(): PanelDrive {
    return Object.freeze({ ...this.#chosen, ...this.#steps[this.#step]!.candidates[this.#candidate]!.drive });
  }

  /** Sets the panel up with the candidate and draws the step's pattern. */
  #show(): void {
    if (this.#frameTimer !== undefined) this.#timers.clear(this.#frameTimer);
    this.#frameTimer = undefined;
    this.#problem = undefined;
    const step = this.#steps[this.#step]!;
    const { width, height, colorDepth } = this.#config;
    try {
      this.#panel.begin({ width, height, colorDepth, drive: this.#candidateDrive() });
      this.#panel.brightness = this.#brightness;
    } catch (error) {
      // A candidate this board cannot run (a driver out of DMA memory): said, and the person moves on.
      this.#problem = `${step.candidates[this.#candidate]!.label}: ${errorMessage(error)}`;
      return;
    }
    this.#tick = 0;
    this.#draw();
    if (step.pattern === "sweep") {
      this.#frameTimer = this.#timers.repeat(() => {
        this.#tick++;
        this.#draw();
      }, this.#frameMs);
    }
  }

  #draw(): void {
    const step = this.#steps[this.#step]!;
    const label = `${this.#candidate + 1}/${step.candidates.length} ${step.candidates[this.#candidate]!.label}`;
    drawTestPattern(this.#frame, this.#config.width, this.#config.height, step.pattern, label, this.#tick);
    try {
      this.#panel.push(this.#frame);
    } catch (error) {
      this.#problem = errorMessage(error);
    }
  }

  #touch(): void {
    if (this.#idleTimer !== undefined) this.#timers.clear(this.#idleTimer);
    this.#idleTimer = this.#timers.set(() => {
      this.#idleTimer = undefined;
      this.#end("timed out");
    }, this.#idleTimeoutMs);
  }

  #stopTimers(): void {
    if (this.#idleTimer !== undefined) this.#timers.clear(this.#idleTimer);
    if (this.#frameTimer !== undefined) this.#timers.clear(this.#frameTimer);
    this.#idleTimer = undefined;
    this.#frameTimer = undefined;
  }

  #end(state: WizardOutcome["state"]): void {
    this.#stopTimers();
    this.#state = state;
    try {
      this.#finished({ state, drive: this.#chosen });
    } catch (error) {
      this.#state = "failed";
      this.#problem = `not saved: ${errorMessage(error)}`;
    }
  }
}
