// URL parsing and redirect resolution: what the client connects to, what it sends as Host and request
// target, and which URLs it refuses (kind "url").

import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpError } from "../../../src/net/errors.js";
import { formatUrl, parseHttpUrl, resolveUrl } from "../../../src/net/url.js";

function urlError(text: string): HttpError {
  try {
    parseHttpUrl(text);
  } catch (error) {
    assert.ok(error instanceof HttpError, `expected HttpError for ${text}`);
    return error;
  }
  assert.fail(`${text} was accepted`);
}

test("http and https URLs: host, default and explicit ports, Host header, path and query", () => {
  assert.deepEqual(parseHttpUrl("https://vault.makapix.club/ab/cd/1234.webp"), {
    secure: true,
    hostname: "vault.makapix.club",
    port: 443,
    authority: "vault.makapix.club",
    target: "/ab/cd/1234.webp",
  });
  assert.deepEqual(parseHttpUrl("HTTP://Vault.Makapix.Club:8080/x?y=1&z#frag"), {
    secure: false,
    hostname: "vault.makapix.club",
    port: 8080,
    authority: "vault.makapix.club:8080",
    target: "/x?y=1&z",
  });
  assert.equal(parseHttpUrl("http://127.0.0.1:80").target, "/");
  assert.equal(parseHttpUrl("http://127.0.0.1:80").authority, "127.0.0.1");
  assert.equal(parseHttpUrl("http://h?q").target, "/?q");
  const v6 = parseHttpUrl("https://[::1]:8443/a");
  assert.equal(v6.hostname, "::1");
  assert.equal(v6.authority, "[::1]:8443");
  assert.equal(formatUrl(v6), "https://[::1]:8443/a");
});

test("paths are normalised and percent-encoded for the wire", () => {
  assert.equal(parseHttpUrl("http://h/a/./b/../c").target, "/a/c");
  assert.equal(parseHttpUrl("http://h/../../x").target, "/x");
  assert.equal(parseHttpUrl("http://h/a b/é?q=ü x").target, "/a%20b/%C3%A9?q=%C3%BC%20x");
  assert.equal(parseHttpUrl("http://h/%41ready").target, "/%41ready", "existing escapes are kept");
  assert.equal(parseHttpUrl("http://h/😀").target, "/%F0%9F%98%80");
});

test("refused URLs carry kind url and say why", () => {
  assert.match(urlError("ftp://h/x").message, /scheme "ftp"/);
  assert.match(urlError("vault.makapix.club/x").message, /no scheme/);
  assert.match(urlError("https:vault/x").message, /authority/);
  assert.match(urlError("https://user:pw@h/x").message, /passwords/);
  assert.match(urlError("https:///x").message, /no host/);
  assert.match(urlError("https://h:0/").message, /out of range/);
  assert.match(urlError("https://h:65536/").message, /out of range/);
  assert.match(urlError("https://h:12a/").message, /bad port/);
  assert.match(urlError("https://h o/").message, /bad host/);
  assert.match(urlError("https://[::1/").message, /IPv6/);
  assert.match(urlError("http://h/\ud800").message, /surrogate/);
  assert.match(urlError("http://h/" + "a".repeat(3000)).message, /longer than/);
  assert.equal(urlError("mailto:x@y").kind, "url");
});

test("scheme, host, IPv6 and port syntax: the edges of each check", () => {
  // The checks are character loops (no module-level RegExp: docs/testing.md); these pin their edges.
  assert.match(urlError("svn+ssh://h/x").message, /scheme "svn\+ssh"/, "'+' belongs to a scheme");
  assert.match(urlError("a1.b-c://h/x").message, /scheme "a1\.b-c"/, "digits, '.' and '-' too");
  assert.match(urlError("1http://h/x").message, /no scheme/, "a scheme starts with a letter");
  assert.match(urlError(":x").message, /no scheme/);
  assert.match(urlError("hé://h/x").message, /no scheme/, "ASCII only");
  assert.equal(parseHttpUrl("https://a-b.c_d~e%41.example/").hostname, "a-b.c_d~e%41.example");
  assert.match(urlError("https://hé.example/").message, /bad host/);
  assert.match(urlError("https://h😀/").message, /bad host/);
  assert.equal(parseHttpUrl("https://[::ffff:192.0.2.1]/").hostname, "::ffff:192.0.2.1");
  assert.equal(parseHttpUrl("https://[FE80::A]/").hostname, "fe80::a");
  assert.match(urlError("https://[::g]/").message, /bad IPv6/);
  assert.match(urlError("https://[192.0.2.1]/").message, /bad IPv6/, "brackets need an IPv6 address");
  assert.match(urlError("https://[]/").message, /bad IPv6/);
  assert.equal(parseHttpUrl("https://h:00443/").port, 443, "up to five digits");
  assert.match(urlError("https://h:000443/").message, /bad port/);
  assert.match(urlError("https://h:+1/").message, /bad port/);
  assert.match(urlError("https://h:٣/").message, /bad port/, "ASCII digits only");
});

test("Location values resolve against the URL that answered (RFC 3986 §5.4 examples)", () => {
  const base = parseHttpUrl("http://a/b/c/d;p?q");
  const cases: [string, string][] = [
    ["g", "http://a/b/c/g"],
    ["./g", "http://a/b/c/g"],
    ["g/", "http://a/b/c/g/"],
    ["/g", "http://a/g"],
    ["//g", "http://g/"],
    ["?y", "http://a/b/c/d;p?y"],
    ["g?y", "http://a/b/c/g?y"],
    ["#s", "http://a/b/c/d;p?q"],
    ["g#s", "http://a/b/c/g"],
    [";x", "http://a/b/c/;x"],
    ["", "http://a/b/c/d;p?q"],
    [".", "http://a/b/c/"],
    ["./", "http://a/b/c/"],
    ["..", "http://a/b/"],
    ["../g", "http://a/b/g"],
    ["../..", "http://a/"],
    ["../../g", "http://a/g"],
    ["../../../g", "http://a/g"],
    ["https://other:8443/z", "https://other:8443/z"],
  ];
  for (const [reference, expected] of cases) assert.equal(formatUrl(resolveUrl(base, reference)), expected, reference);
  assert.equal(formatUrl(resolveUrl(parseHttpUrl("https://v/x"), "//w/y")), "https://w/y", "scheme-relative keeps https");
  assert.throws(() => resolveUrl(base, "ftp://x/"), (error: unknown) => error instanceof HttpError && error.kind === "url");
});
