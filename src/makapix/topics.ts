// The player's MQTT topics (protocol sheet §1): everything lives under makapix/player/{key}/.

export interface PlayerTopics {
  readonly status: string;
  readonly view: string;
  readonly viewAck: string;
  readonly capabilities: string;
  readonly state: string;
  readonly command: string;
  readonly commandAck: string;
  /** Subscription filter for every reply. */
  readonly responses: string;
  /** Prefix of a reply topic; the rest is the request id. */
  readonly responsePrefix: string;
  request(requestId: string): string;
}

export function playerTopics(playerKey: string): PlayerTopics {
  const base = `makapix/player/${playerKey}`;
  return {
    status: `${base}/status`,
    view: `${base}/view`,
    viewAck: `${base}/view/ack`,
    capabilities: `${base}/capabilities`,
    state: `${base}/state`,
    command: `${base}/command`,
    commandAck: `${base}/command/ack`,
    responses: `${base}/response/#`,
    responsePrefix: `${base}/response/`,
    request: (requestId) => `${base}/request/${requestId}`,
  };
}

/** The player key is a secret (it fetches the private key): logs show only its ends. */
export function redactKey(playerKey: string): string {
  return playerKey.length > 8 ? `${playerKey.slice(0, 4)}…${playerKey.slice(-4)}` : "…";
}

/** `topic` (or a filter) with the player key in it redacted, fit for a log line. Plain search, no RegExp. */
export function redactTopic(topic: string, playerKey: string): string {
  if (playerKey.length === 0) return topic;
  const shown = redactKey(playerKey);
  let text = topic;
  let at = text.indexOf(playerKey);
  while (at >= 0) {
    text = text.slice(0, at) + shown + text.slice(at + playerKey.length);
    at = text.indexOf(playerKey, at + shown.length);
  }
  return text;
}
