// http:// and https:// URLs: parsing into what a request needs (host to connect to, Host header,
// request target) and resolving a redirect's Location against the URL that answered (RFC 3986 §5).
// Anything else (other schemes, user:password@, bad ports) is an HttpError of kind "url".

import { HttpError } from "./errors.js";
import { utf8Encode } from "../util/utf8.js";
import { clipText } from "../util/string-model.js";
import { isAlphanumericOr, isAsciiHexDigit, isAsciiLetter, isDigits } from "../util/ascii.js";

export interface HttpUrl {
  secure: boolean;
  /** What to connect to: a lower-cased name, an IPv4 address, or an IPv6 address without brackets. */
  hostname: string;
  port: number;
  /** The Host header: host as written (IPv6 in brackets), with ":port" unless it is the default. */
  authority: string;
  /** Path and query ("/a/b.png?x=1"): always starts with "/"; never contains the fragment. */
  target: string;
}

/** Longest URL we accept; the request line must fit in the client's header buffer anyway. */
export const MAXIMUM_URL_LENGTH = 2048;

// Registered names and IPv4: letters, digits, '-', '.', '_' (seen in the wild), '~' and percent escapes.
const REG_NAME_OTHERS = "._~%-";

/**
 * The scheme `text` starts with (RFC 3986: a letter, then letters, digits, '+', '-' or '.', then
 * ':'), without the colon; undefined when it starts with none.
 */
function schemeOf(text: string): string | undefined {
  const colon = text.indexOf(":");
  if (colon < 1) return undefined;
  const scheme = text.slice(0, colon);
  if (!isAsciiLetter(scheme.charCodeAt(0))) return undefined;
  return isAlphanumericOr(scheme, "+-.") ? scheme : undefined;
}

/** Hex digits, ':' and '.' (an embedded IPv4), with at least one ':'. */
function looksLikeIpv6(text: string): boolean {
  if (!text.includes(":")) return false;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (!isAsciiHexDigit(code) && code !== 0x3a && code !== 0x2e) return false;
  }
  return true;
}

export function parseHttpUrl(text: string): HttpUrl {
  if (text.length > MAXIMUM_URL_LENGTH) throw urlError(`longer than ${MAXIMUM_URL_LENGTH} characters`);
  const trimmed = text.trim();
  const scheme = schemeOf(trimmed);
  if (scheme === undefined) throw urlError(`no scheme in "${shorten(trimmed)}"`);
  const name = scheme.toLowerCase();
  if (name !== "http" && name !== "https") throw urlError(`scheme "${name}" is not http or https`);
  const rest = trimmed.slice(scheme.length + 1);
  if (!rest.startsWith("//")) throw urlError(`"${shorten(trimmed)}" has no "//" authority`);
  const secure = name === "https";
  let end = 2;
  while (end < rest.length && rest[end] !== "/" && rest[end] !== "?" && rest[end] !== "#") end++;
  const { hostname, port, authority } = parseAuthority(rest.slice(2, end), secure);
  return { secure, hostname, port, authority, target: normaliseTarget(rest.slice(end)) };
}

/** The URL a Location header points to, relative to the URL whose response carried it. */
export function resolveUrl(base: HttpUrl, reference: string): HttpUrl {
  const ref = reference.trim();
  if (ref.length > MAXIMUM_URL_LENGTH) throw urlError(`longer than ${MAXIMUM_URL_LENGTH} characters`);
  if (schemeOf(ref) !== undefined) return parseHttpUrl(ref);
  if (ref.startsWith("//")) return parseHttpUrl((base.secure ? "https:" : "http:") + ref);
  const withBase = (target: string): HttpUrl => ({ ...base, target: normaliseTarget(target) });
  if (ref.startsWith("/")) return withBase(ref);
  const query = base.target.indexOf("?");
  const basePath = query >= 0 ? base.target.slice(0, query) : base.target;
  if (ref === "" || ref.startsWith("#")) return withBase(base.target);
  if (ref.startsWith("?")) return withBase(basePath + ref);
  return withBase(basePath.slice(0, basePath.lastIndexOf("/") + 1) + ref);
}

export function formatUrl(url: HttpUrl): string {
  return `${url.secure ? "https" : "http"}://${url.authority}${url.target}`;
}

function parseAuthority(authority: string, secure: boolean): { hostname: string; port: number; authority: string } {
  if (authority.includes("@")) throw urlError("user names and passwords in URLs are not supported");
  let host: string;
  let hostname: string;
  let portText = "";
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) throw urlError(`unterminated IPv6 address in "${authority}"`);
    hostname = authority.slice(1, close).toLowerCase();
    if (!looksLikeIpv6(hostname)) throw urlError(`bad IPv6 address "${hostname}"`);
    host = `[${hostname}]`;
    const after = authority.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) throw urlError(`unexpected "${after}" after the IPv6 address`);
    portText = after.slice(1);
  } else {
    const colon = authority.indexOf(":");
    host = (colon >= 0 ? authority.slice(0, colon) : authority).toLowerCase();
    portText = colon >= 0 ? authority.slice(colon + 1) : "";
    if (!isAlphanumericOr(host, REG_NAME_OTHERS)) throw urlError(host === "" ? "no host" : `bad host name "${shorten(host)}"`);
    hostname = host;
  }
  const defaultPort = secure ? 443 : 80;
  let port = defaultPort;
  if (portText !== "") {
    if (!isDigits(portText, 1, 5)) throw urlError(`bad port "${shorten(portText)}"`);
    port = Number(portText);
    if (port < 1 || port > 65535) throw urlError(`port ${port} out of range`);
  }
  return { hostname, port, authority: port === defaultPort ? host : `${host}:${port}` };
}

/** Drops the fragment, removes "." and ".." path segments and percent-encodes what may not go on the wire. */
function normaliseTarget(text: string): string {
  const hash = text.indexOf("#");
  const withoutFragment = hash >= 0 ? text.slice(0, hash) : text;
  const query = withoutFragment.indexOf("?");
  const path = query >= 0 ? withoutFragment.slice(0, query) : withoutFragment;
  const search = query >= 0 ? withoutFragment.slice(query) : "";
  return percentEncode(removeDotSegments(path === "" ? "/" : path) + search);
}

function removeDotSegments(path: string): string {
  if (!path.includes(".")) return path;
  const input = path.split("/");
  const output: string[] = [];
  for (let i = 0; i < input.length; i++) {
    const segment = input[i]!;
    const last = i === input.length - 1;
    if (segment === ".") {
      if (last) output.push("");
    } else if (segment === "..") {
      if (output.length > 1) output.pop();
      if (last) output.push("");
    } else {
      output.push(segment);
    }
  }
  const joined = output.join("/");
  return joined.startsWith("/") ? joined : "/" + joined;
}

const HEX = "0123456789ABCDEF";

/** Encodes spaces, controls, non-ASCII (as UTF-8) and the few ASCII characters RFC 3986 never allows. */
function percentEncode(target: string): string {
  let clean = true;
  for (let i = 0; i < target.length && clean; i++) clean = !needsEncoding(target.charCodeAt(i));
  if (clean) return target;
  let out = "";
  for (let i = 0; i < target.length; i++) {
    const code = target.charCodeAt(i);
    if (!needsEncoding(code)) {
      out += target[i];
      continue;
    }
    const high = code >= 0xd800 && code <= 0xdbff && i + 1 < target.length;
    let bytes: Uint8Array;
    try {
      bytes = utf8Encode(high ? target.slice(i, i + 2) : target[i]!);
    } catch {
      throw urlError(`lone surrogate at index ${i}`);
    }
    if (high) i++;
    for (let b = 0; b < bytes.length; b++) out += "%" + HEX[bytes[b]! >> 4] + HEX[bytes[b]! & 15];
  }
  return out;
}

function needsEncoding(code: number): boolean {
  return code <= 0x20 || code >= 0x7f || code === 0x22 || code === 0x3c || code === 0x3e || code === 0x5c || code === 0x5e || code === 0x60 || code === 0x7b || code === 0x7c || code === 0x7d;
}

function shorten(text: string): string {
  return text.length > 80 ? clipText(text, 77) + "..." : text;
}

function urlError(message: string): HttpError {
  return new HttpError("url", message);
}
