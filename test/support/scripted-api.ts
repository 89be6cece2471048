// A scripted Makapix HTTPS API on the virtual network, for the registration and renewal unit tests
// (Node and XS): each request is routed by method and path to the test's handler, which returns a
// status and a JSON body (or "refuse"/"hang" for the connection). Every call is recorded with the
// virtual time it arrived at.

import { utf8Encode } from "../../src/util/utf8.js";
import { ScriptedHttpServer, httpResponse } from "./scripted-http.js";
import type { VirtualHost } from "./virtual-host.js";

export interface ApiCall {
  method: string;
  path: string;
  /** The request's headers and body as sent. */
  head: string;
  body: string;
  atMs: number;
}

export type ApiAnswer = { status: number; json?: unknown; headers?: string[]; raw?: string } | "refuse";

export class ScriptedApi {
  readonly calls: ApiCall[] = [];
  readonly server: ScriptedHttpServer;
  /** Connections to refuse from now on (a network outage). */
  offline = false;

  constructor(host: VirtualHost, handler: (call: ApiCall) => ApiAnswer) {
    const refusals = new Set<number>();
    this.server = new ScriptedHttpServer(host, {
      connect: (index) => (this.offline ? (refusals.add(index), { refuse: "ECONNREFUSED: connection refused" }) : "accept"),
      respond: (exchange) => {
        const line = /^(\S+) (\S+) /.exec(exchange.request)!;
        const call: ApiCall = { method: line[1]!, path: line[2]!, head: exchange.request, body: exchange.body, atMs: host.clock.monotonicMs() };
        this.calls.push(call);
        const answer = handler(call);
        if (answer === "refuse") {
          exchange.close("ECONNRESET: connection reset by peer");
          return;
        }
        const text = answer.raw ?? (answer.json === undefined ? "" : JSON.stringify(answer.json));
        const body = utf8Encode(text);
        exchange.send(httpResponse(answer.status, ["Content-Type: application/json", `Content-Length: ${body.length}`, ...(answer.headers ?? [])], body));
      },
    });
  }

  /** The calls to paths starting with `prefix` (and of `method`, when given). */
  callsTo(prefix: string, method?: string): ApiCall[] {
    return this.calls.filter((call) => call.path.startsWith(prefix) && (method === undefined || call.method === method));
  }
}

/** Python-isoformat-like text of a wall time ("2026-11-25T12:15:00.000000+00:00"). */
export function isoAt(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000+00:00");
}
