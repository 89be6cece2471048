// A null-modem cable between two pseudo-terminals (python3's pty module): what one end writes, the other
// reads. The simulator app opens one end as its serial line (the SDK's Linux `embedded:io/serial` opens
// a tty path) and the provisioning CLI the other, exactly as it opens a board's /dev/ttyUSB0.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";

const BRIDGE = `
import os, select, sys, tty
ends = [os.openpty(), os.openpty()]
for master, slave in ends:
    tty.setraw(slave)
    tty.setraw(master)
print(os.ttyname(ends[0][1]), os.ttyname(ends[1][1]), flush=True)
masters = [ends[0][0], ends[1][0]]
while True:
    ready, _, _ = select.select(masters, [], [])
    for source in ready:
        target = masters[1] if source == masters[0] else masters[0]
        try:
            data = os.read(source, 4096)
        except OSError:
            continue
        if data:
            os.write(target, data)
`;

export interface NullModem {
  /** The device's end (the simulator opens it). */
  readonly deviceEnd: string;
  /** The PC's end (`make provision PORT=…`). */
  readonly pcEnd: string;
  readonly pid: number | undefined;
  close(): Promise<void>;
}

/** Whether python3 with the pty module is here. */
export function nullModemAvailable(): boolean {
  return spawnSync("python3", ["-c", "import pty, tty, select"], { stdio: "ignore" }).status === 0;
}

export async function startNullModem(): Promise<NullModem> {
  const child: ChildProcess = spawn("python3", ["-c", BRIDGE], { stdio: ["ignore", "pipe", "pipe"] });
  const ends = await new Promise<string[]>((resolve, reject) => {
    let text = "";
    let errors = "";
    child.once("error", (error) => reject(new Error(`null modem: python3 did not start (${error.message})`)));
    child.once("exit", (code) => reject(new Error(`null modem: python3 exited ${code}: ${errors.trim()}`)));
    child.stderr!.on("data", (data: Buffer) => (errors += data.toString()));
    child.stdout!.on("data", (data: Buffer) => {
      text += data.toString();
      if (text.includes("\n")) resolve(text.trim().split(" "));
    });
  });
  return {
    deviceEnd: ends[0]!,
    pcEnd: ends[1]!,
    pid: child.pid,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
