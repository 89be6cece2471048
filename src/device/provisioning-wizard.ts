// The PANEL_WIZARD message's fields (docs/provisioning.md): the action a PC asks for, and the wizard's
// status as the device answers it. Used by the device's handler; the PC's client reads the same fields.

import { clipText } from "../util/string-model.js";
import { describePanelDrive } from "./panel-drive.js";
import type { WizardAction, WizardStatus } from "./panel-wizard.js";
import { FIELD, WIZARD_ACTION, type FieldWriter } from "./provisioning-messages.js";

export type WizardRequestAction = "start" | "status" | WizardAction;

const TEXT_MAX_CHARS = 160;

/** The action for a wire code, or undefined for a code this firmware does not know. */
export function wizardActionOf(code: number): WizardRequestAction | undefined {
  switch (code) {
    case WIZARD_ACTION.STATUS: return "status";
    case WIZARD_ACTION.START: return "start";
    case WIZARD_ACTION.NEXT: return "next";
    case WIZARD_ACTION.CONFIRM: return "confirm";
    case WIZARD_ACTION.SKIP: return "skip";
    case WIZARD_ACTION.CANCEL: return "cancel";
    default: return undefined;
  }
}

/** The reply's fields: "idle" alone before any wizard ran. Every text is clipped, so it fits one frame. */
export function writeWizardStatus(w: FieldWriter, status: WizardStatus | undefined): FieldWriter {
  if (!status) return w.text(FIELD.WIZARD_STATE, "idle");
  w.text(FIELD.WIZARD_STATE, status.state)
    .text(FIELD.WIZARD_STEP, status.step)
    .uint(FIELD.WIZARD_STEP_NUMBER, status.stepNumber)
    .uint(FIELD.WIZARD_STEP_COUNT, status.stepCount)
    .text(FIELD.WIZARD_CANDIDATE, clipText(status.candidate, 40))
    .uint(FIELD.WIZARD_CANDIDATE_NUMBER, status.candidateNumber)
    .uint(FIELD.WIZARD_CANDIDATE_COUNT, status.candidateCount)
    .text(FIELD.WIZARD_HINT, clipText(status.hint, TEXT_MAX_CHARS))
    .text(FIELD.WIZARD_DRIVE, clipText(describePanelDrive(status.drive), 2 * TEXT_MAX_CHARS));
  if (status.problem !== undefined) w.text(FIELD.WIZARD_PROBLEM, clipText(status.problem, TEXT_MAX_CHARS));
  return w;
}
