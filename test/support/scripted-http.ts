// A scripted HTTP server on the virtual network, for client unit tests that run in Node and XS:
// every connection's request is gathered until its blank line (and its Content-Length body), then handed to the test's `respond`
// function, which answers with raw bytes (in slices if it likes) and may close or break the connection.

import { utf8Decode, utf8Encode } from "../../src/util/utf8.js";
import type { SocketErrorCause } from "../../src/ports.js";
import type { VirtualConnection, VirtualHost } from "./virtual-host.js";
import { concatBytes } from "./bytes.js";

export interface Exchange {
  /** 0 for the first connection, 1 for the next… */
  index: number;
  connection: VirtualConnection;
  /** The request head as text ("GET /x HTTP/1.1\r\nHost: …"), without the body. */
  request: string;
  /** The request body as text ("" when there is none). */
  body: string;
  /** Sends bytes to the client, optionally in slices. */
  send(bytes: Uint8Array | string, sliceBytes?: number): void;
  /** The server closes the connection (on the Node host this arrives as "connection closed by peer"). */
  close(reason?: string): void;
}

export interface ServerScript {
  /** Called with each complete request. */
  respond(exchange: Exchange): void;
  /** Refuse connection number `index` with this reason (e.g. "ECONNREFUSED"), or never answer it ("hang"). */
  connect?(index: number): "accept" | "hang" | { refuse: string; cause?: SocketErrorCause };
}

export class ScriptedHttpServer {
  readonly exchanges: Exchange[] = [];
  connections = 0;

  constructor(host: VirtualHost, script: ServerScript) {
    host.network.onConnection = (connection) => {
      const index = this.connections++;
      const decision = script.connect?.(index) ?? "accept";
      // Connections complete asynchronously, as on a real network.
      if (decision === "accept") void Promise.resolve().then(() => connection.accept());
      else if (decision !== "hang") void Promise.resolve().then(() => connection.fail(decision.refuse, decision.cause));
      let head = "";
      let answered = false;
      return {
        received: (bytes) => {
          if (answered) return;
          head += utf8Decode(bytes, 0, bytes.length);
          const blank = head.indexOf("\r\n\r\n");
          if (blank < 0) return;
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head.slice(0, blank))?.[1] ?? 0);
          if (head.length < blank + 4 + length) return; // the test bodies are ASCII: characters = bytes
          answered = true;
          const exchange: Exchange = {
            index,
            connection,
            request: head.slice(0, blank + 4),
            body: head.slice(blank + 4, blank + 4 + length),
            send: (data, sliceBytes) => {
              const raw = typeof data === "string" ? utf8Encode(data) : data;
              connection.deliver(raw, sliceBytes ?? raw.length);
            },
            close: (reason = "connection closed by peer") => connection.fail(reason),
          };
          this.exchanges.push(exchange);
          script.respond(exchange);
        },
        closed: () => {},
      };
    };
  }
}

/** A response head plus body; `headers` are written as given (so tests control framing exactly). */
export function httpResponse(status: number, headers: string[], body: Uint8Array | string = ""): Uint8Array {
  const head = utf8Encode(`HTTP/1.1 ${status} ${reasonFor(status)}\r\n${headers.map((h) => h + "\r\n").join("")}\r\n`);
  const bodyBytes = typeof body === "string" ? utf8Encode(body) : body;
  return concatBytes([head, bodyBytes]);
}

/** Body bytes in chunked transfer coding, one chunk per part. */
export function chunked(parts: (Uint8Array | string)[], trailer = ""): Uint8Array {
  const pieces: Uint8Array[] = [];
  for (const part of parts) {
    const bytes = typeof part === "string" ? utf8Encode(part) : part;
    pieces.push(utf8Encode(`${bytes.length.toString(16)}\r\n`), bytes, utf8Encode("\r\n"));
  }
  pieces.push(utf8Encode(`0\r\n${trailer}\r\n`));
  return concatBytes(pieces);
}


/** Deterministic test bytes (every value occurs, no runs). */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function reasonFor(status: number): string {
  const reasons: Record<number, string> = { 200: "OK", 201: "Created", 301: "Moved Permanently", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests", 503: "Service Unavailable" };
  return reasons[status] ?? "Whatever";
}
