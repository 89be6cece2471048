// Removing PEM private-key blocks from text about to be logged: the Log port's second line of defence
// (callers never pass secrets). Plain string search, no RegExp: a RegExp literal costs ~0.7 ms each
// time it is evaluated in the simulator, and a module-level one holds mutable state (lastIndex) that a
// preloaded module may not write.

const KEY_MARK = "PRIVATE KEY-----";
const REDACTED = "[private key removed]";

/** `message` with every "-----BEGIN … PRIVATE KEY-----" … "-----END … PRIVATE KEY-----" block replaced. */
export function redactPrivateKeys(message: string): string {
  if (message.indexOf(KEY_MARK) < 0) return message;
  let out = "";
  let from = 0;
  for (;;) {
    const mark = message.indexOf(KEY_MARK, from);
    if (mark < 0) break;
    const begin = message.lastIndexOf("-----BEGIN", mark);
    const end = message.indexOf("-----END", mark + KEY_MARK.length);
    // Without an END line, everything after BEGIN goes: a truncated key is still a secret.
    const stop = end < 0 ? message.length : message.indexOf(KEY_MARK, end);
    const blockEnd = stop < 0 ? message.length : stop + KEY_MARK.length;
    const blockStart = begin >= from ? begin : mark;
    out += message.slice(from, blockStart) + REDACTED;
    from = blockEnd;
  }
  return out + message.slice(from);
}
