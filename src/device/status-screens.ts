// What the panel says when it has no art to show: the words for each situation, and the observer that
// puts them on the display while the player runs. Art on screen always wins over a connection warning
// (a reconnect is invisible to someone watching an animation); a refusal by the service is shown
// anyway, since the owner has to act, and stays up while the block lasts (the scheduler's "cannot
// list" that follows it says less). The texts fit a 64×32 panel with the 3×5 font.

import type { StatusLevel } from "../display/display.js";
import type { SessionError, SessionState } from "../mqtt/client.js";
import type { MakapixPlayer } from "../makapix/player.js";
import type { Clock } from "../ports.js";

export interface StatusMessage {
  readonly text: string;
  readonly level: StatusLevel;
}

/** Where a status screen is drawn (the Display). */
export interface StatusPanel {
  showStatus(message: string, level?: StatusLevel): void;
}

export const STATUS_TEXT = Object.freeze({
  connecting: "Connecting to Makapix Club",
  reconnecting: "Reconnecting…",
  refusedPrefix: "Refused: ",
  blocked: "Makapix refused this player. Retrying in ",
});

export const CONNECTING: StatusMessage = Object.freeze({ text: STATUS_TEXT.connecting, level: "info" });

/**
 * The screen for a session change, or undefined when it needs none. A TLS or CONNACK refusal names its
 * cause (an expired or revoked certificate, "not authorized"): retrying alone will not fix it.
 */
export function sessionStatus(state: SessionState, error: SessionError | undefined): StatusMessage | undefined {
  if (state !== "reconnecting" || !error) return undefined;
  if (error.kind === "tls" || error.kind === "connack") return { text: STATUS_TEXT.refusedPrefix + error.message, level: "warning" };
  return { text: STATUS_TEXT.reconnecting, level: "warning" };
}

/** The service refused the player (deleted, owner banned, temporary block); credentials are kept. */
export function blockedStatus(retryAfterMs: number): StatusMessage {
  return { text: `${STATUS_TEXT.blocked}${Math.round(retryAfterMs / 1000)} s`, level: "error" };
}

/** Nothing to play (empty channel, every artwork failing): the scheduler's reason, as it says it. */
export function idleStatus(reason: string): StatusMessage {
  return { text: reason, level: "warning" };
}

/** Shows the player's troubles on `panel` from now on. */
export function observeSessionStatus(player: MakapixPlayer, panel: StatusPanel, clock: Clock): void {
  const show = (message: StatusMessage) => panel.showStatus(message.text, message.level);
  const showingArt = () => player.scheduler.current !== undefined;
  let blockedUntil = -1;
  player.observe({
    sessionChanged: (state, error) => {
      const message = sessionStatus(state, error);
      if (message && !showingArt()) show(message);
    },
    blocked: (ms) => {
      blockedUntil = clock.monotonicMs() + ms;
      show(blockedStatus(ms));
    },
    idle: (reason) => {
      if (!showingArt() && clock.monotonicMs() >= blockedUntil) show(idleStatus(reason));
    },
  });
}
