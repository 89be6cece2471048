// Serves the virtual panel on localhost: the page, a server-sent-event stream of the frames the panel
// shows and of the player's status, PNG snapshots, and a control endpoint for the page's buttons.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { PanelEmulator } from "./panel-emulator.js";
import { PANEL_PAGE } from "./panel-page.js";

export interface PanelControl {
  /** "dither" is the emulator's own setting (the driver's `dither`), applied here and not forwarded. */
  action: "next" | "back" | "pause" | "brightness" | "channel" | "show" | "dither";
  enabled?: boolean;
  paused?: boolean;
  value?: number;
  channel?: string;
  argument?: string;
  postId?: number;
}

export interface PanelStatus {
  session?: string;
  post?: number;
  message?: string;
}

export interface PanelServer {
  readonly url: string;
  setStatus(status: PanelStatus): void;
  close(): Promise<void>;
}

const MAXIMUM_CONTROL_BYTES = 4096;
const MAXIMUM_BACKLOG_BYTES = 256 * 1024;

export async function startPanelServer(
  panel: PanelEmulator,
  onControl: (control: PanelControl) => Promise<void>,
  port = 0,
): Promise<PanelServer> {
  const clients = new Set<ServerResponse>();
  let status: PanelStatus = {};

  const frameEvent = () => {
    const { width, height } = panel.config;
    return `event: frame\ndata: ${JSON.stringify({ width, height, rgb: Buffer.from(panel.shownFrame).toString("base64") })}\n\n`;
  };
  const statusEvent = () => `event: status\ndata: ${JSON.stringify({ ...status, refreshHz: panel.stats.refreshHz })}\n\n`;
  const broadcast = (text: () => string) => {
    if (clients.size === 0) return;
    const event = text();
    // A page that stopped reading is skipped rather than buffered without limit; the next frame catches it up.
    for (const client of clients) if (client.writableLength < MAXIMUM_BACKLOG_BYTES) client.write(event);
  };
  const unsubscribe = panel.onFrame(() => broadcast(frameEvent));

  const server: Server = createServer((request, response) => {
    void route(request, response).catch((error: Error) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(error.message);
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (request.method === "GET" && path === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      response.end(PANEL_PAGE);
    } else if (request.method === "GET" && path === "/events") {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      response.write(frameEvent() + statusEvent());
      clients.add(response);
      request.on("close", () => clients.delete(response));
    } else if (request.method === "GET" && path === "/snapshot.png") {
      response.writeHead(200, { "content-type": "image/png", "cache-control": "no-store" });
      response.end(panel.snapshotPng());
    } else if (request.method === "GET" && path === "/stats") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ ...panel.stats, ...panel.config, brightness: panel.brightness, dither: panel.dither, status }));
    } else if (request.method === "POST" && path === "/control") {
      const body = await readBody(request);
      let control: PanelControl;
      try {
        control = JSON.parse(body) as PanelControl;
      } catch {
        response.writeHead(400, { "content-type": "text/plain" });
        response.end("not JSON");
        return;
      }
      if (control.action === "dither") {
        if (typeof control.enabled !== "boolean") {
          response.writeHead(400, { "content-type": "text/plain" });
          response.end("dither needs enabled: true or false");
          return;
        }
        panel.dither = control.enabled;
      } else {
        await onControl(control);
      }
      response.writeHead(204);
      response.end();
    } else {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("not found");
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    setStatus(next) {
      status = { ...status, ...next };
      broadcast(statusEvent);
    },
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const client of clients) client.end();
        clients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAXIMUM_CONTROL_BYTES) {
        reject(new Error("control request too large"));
        request.destroy();
      }
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}
