// Reading from a queue of received chunks, as ECMA-419 `read(into)` does: copy as much as fits, keep
// the rest of a partly read chunk at the head. Shared by the Node host's sockets and serial line and by
// the test network, which all buffer what arrives as a list of chunks.

/** Moves up to `into.length` bytes from the front of `chunks` into `into`; returns how many. */
export function readChunks(chunks: Uint8Array[], into: Uint8Array): number {
  let copied = 0;
  while (copied < into.length && chunks.length > 0) {
    const head = chunks[0]!;
    const take = Math.min(head.length, into.length - copied);
    into.set(head.subarray(0, take), copied);
    copied += take;
    if (take === head.length) chunks.shift();
    else chunks[0] = head.subarray(take);
  }
  return copied;
}
