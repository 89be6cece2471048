// Telling a dotted IPv4 address (which the SDK's sockets take as it is) from a host name (which goes
// through the DNS resolver first).

/** True for "a.b.c.d" with four decimal parts 0–255 and no leading zeros (inet_aton, which the SDK uses, would read "010" as octal). */
export function isIpv4(host: string): boolean {
  const parts = host.split(".");
  if (parts.length !== 4) return false;
  for (const part of parts) {
    if (part.length === 0 || part.length > 3 || (part.length > 1 && part.charCodeAt(0) === 48)) return false;
    for (let i = 0; i < part.length; i++) {
      const code = part.charCodeAt(i);
      if (code < 48 || code > 57) return false;
    }
    if (Number(part) > 255) return false;
  }
  return true;
}
