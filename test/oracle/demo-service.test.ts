// The demo service's pure parts against references: the reply text against Python's own json.dumps,
// BMP files against ImageMagick, encoded files against sharp's decoder; criteria, cursors and the
// 128 KiB trim against hand-worked cases; the catalogue against itself (determinism).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { encodeBmp24 } from "../../tools/demo-service/bmp.js";
import { generateCatalogue, loadCatalogue, type Catalogue } from "../../tools/demo-service/catalogue.js";
import type { ArtworkPost } from "../../tools/demo-service/catalogue-data.js";
import { CriteriaError, matchesCriteria, parseCriteria, type CriteriaSubject } from "../../tools/demo-service/criteria.js";
import { queryPosts, trimReply, type PostQuery, type PostSource } from "../../tools/demo-service/posts.js";
import { minifiedJsonBytes, pythonJson, type JsonValue } from "../../tools/demo-service/python-json.js";
import { ReactionStore } from "../../tools/demo-service/reactions.js";
import { RpcError } from "../../tools/demo-service/rpc-error.js";

function pythonDumps(value: JsonValue): string {
  const result = spawnSync("python3", ["-c", "import json,sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read())))"], { input: JSON.stringify(value), encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

test("pythonJson writes exactly what Python's json.dumps writes", () => {
  const value: JsonValue = {
    ascii: "plain / text",
    quotes: 'say "hi" \\ back',
    controls: "tab\tnew\nline\rbell\u0007del\u007f",
    latin: "héllo wörld",
    cjk: "日没がきれい",
    astral: "👾🎨😵‍💫",
    numbers: [0, -1, 131072, 2 ** 40],
    nested: { empty_list: [], empty_object: {}, nothing: null, yes: true, no: false },
    "kéy": "unicode key",
  };
  assert.equal(pythonJson(value), pythonDumps(value));
  assert.equal(pythonJson([]), "[]");
  assert.equal(pythonJson({ skipped: undefined, kept: 1 }), '{"kept": 1}');
  // The minified size is what the service measures: UTF-8, no spaces, nothing escaped.
  assert.equal(minifiedJsonBytes({ a: "é" }), '{"a":"é"}'.length + 1);
});

const subject = (fields: Partial<CriteriaSubject> = {}): CriteriaSubject => ({
  kind: "artwork",
  width: 64,
  height: 32,
  frame_count: 1,
  min_frame_duration_ms: null,
  max_frame_duration_ms: null,
  unique_colors: 12,
  transparency_meta: true,
  alpha_meta: false,
  transparency_actual: false,
  alpha_actual: false,
  renditions: [
    { format: "png", fileBytes: 900, native: true },
    { format: "bmp", fileBytes: 6000, native: false },
  ],
  ...fields,
});
const matches = (criteria: unknown, fields: Partial<CriteriaSubject> = {}) => matchesCriteria(subject(fields), parseCriteria(criteria));

test("criteria evaluate with SQL semantics, renditions matched one at a time", () => {
  assert.equal(matches([{ field: "width", op: "lte", value: 64 }, { field: "height", op: "lt", value: 33 }]), true);
  assert.equal(matches([{ field: "width", op: "gt", value: 64 }]), false);
  assert.equal(matches([{ field: "width", op: "in", value: [8, 64] }, { field: "height", op: "not_in", value: [64] }]), true);
  assert.equal(matches([{ field: "transparency_meta", op: "eq", value: true }, { field: "alpha_actual", op: "neq", value: true }]), true);
  // A missing value matches nothing but is_null, not even neq / not_in.
  assert.equal(matches([{ field: "min_frame_duration_ms", op: "is_null" }]), true);
  assert.equal(matches([{ field: "min_frame_duration_ms", op: "neq", value: 5 }]), false);
  assert.equal(matches([{ field: "max_frame_duration_ms", op: "not_in", value: [5] }]), false);
  assert.equal(matches([{ field: "width", op: "lte", value: 128 }], { kind: "playlist", width: null, renditions: [] }), false);
  // file_format: any rendition; file_bytes with it: the same rendition; native_file_format: the original.
  assert.equal(matches([{ field: "file_format", op: "eq", value: "bmp" }]), true);
  assert.equal(matches([{ field: "file_format", op: "eq", value: "bmp" }, { field: "file_bytes", op: "lt", value: 1000 }]), false);
  assert.equal(matches([{ field: "file_format", op: "eq", value: "png" }, { field: "file_bytes", op: "lt", value: 1000 }]), true);
  assert.equal(matches([{ field: "native_file_format", op: "eq", value: "bmp" }]), false);
  assert.equal(matches([{ field: "native_file_format", op: "in", value: ["png", "gif"] }, { field: "kind", op: "eq", value: "artwork" }]), true);
  assert.equal(matches([]), true);
});

test("criteria validation refuses what the service's schema refuses", () => {
  const refused: unknown[] = [
    "width",
    null,
    [{ field: "width", op: "is_null" }],
    [{ field: "kind", op: "is_not_null" }],
    [{ field: "alpha_meta", op: "in", value: [true] }],
    [{ field: "file_format", op: "gt", value: "png" }],
    [{ field: "width", op: "eq" }],
    [{ field: "width", op: "eq", value: "64" }],
    [{ field: "width", op: "eq", value: true }],
    [{ field: "unique_colors", op: "is_null", value: 3 }],
    [{ field: "height", op: "in", value: Array.from({ length: 129 }, (_, i) => i) }],
    [{ field: "height", op: "in", value: [1.5] }],
    [{ field: "kind", op: "in", value: ["artwork", "video"] }],
    [{ field: "size", op: "eq", value: 1 }],
    [{ field: "width", op: "between", value: 1 }],
    Array.from({ length: 65 }, () => ({ field: "width", op: "gt", value: 0 })),
  ];
  for (const criteria of refused) assert.throws(() => parseCriteria(criteria), CriteriaError, JSON.stringify(criteria));
  assert.equal(parseCriteria(Array.from({ length: 64 }, () => ({ field: "width", op: "gt", value: 0 }))).length, 64);
  assert.equal(parseCriteria([{ field: "height", op: "in", value: Array.from({ length: 128 }, (_, i) => i) }]).length, 1);
  assert.deepEqual(parseCriteria(undefined), []);
});

test("trimReply keeps the longest prefix of posts whose minified JSON fits 128 KiB", () => {
  const post = (i: number): JsonValue => ({ post_id: i, kind: "artwork", storage_key: "k".repeat(36), art_url: "é".repeat(1500) });
  const reply = { request_id: "r", success: true, posts: Array.from({ length: 50 }, (_, i) => post(i)), next_cursor: "50", has_more: true };
  const trimmed = trimReply(reply);
  const n = trimmed.posts.length;
  assert.ok(n > 0 && n < 50);
  assert.ok(minifiedJsonBytes(trimmed as unknown as JsonValue) <= 131072);
  assert.ok(minifiedJsonBytes({ ...reply, posts: reply.posts.slice(0, n + 1) } as unknown as JsonValue) > 131072);
  assert.equal(trimmed.next_cursor, "50", "the cursor is not rewound");
  // The published text (", " / ": " and \u escapes) is far larger than the measured size.
  assert.ok(Buffer.byteLength(pythonJson(trimmed as unknown as JsonValue)) > 131072 * 2);
  const small = { request_id: "r", success: true, posts: [post(1)], has_more: false };
  assert.equal(trimReply(small), small);
});

let catalogueDir: string;
let catalogue: Catalogue;

test("the catalogue is generated in seconds, and the same seed gives the same files and records", async () => {
  catalogueDir = mkdtempSync(join(tmpdir(), "makapix-catalogue-oracle-"));
  const started = Date.now();
  catalogue = await loadCatalogue({ dir: catalogueDir });
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 10_000, `generation took ${elapsed} ms`);
  const againDir = mkdtempSync(join(catalogueDir, "again-"));
  const again = await generateCatalogue(againDir, 1);
  const { vaultDir: _dir, ...records } = catalogue;
  assert.deepEqual(again, records);
  for (const post of again.posts) {
    if (post.kind !== "artwork") continue;
    for (const file of post.files) {
      const name = join(post.storageShard, `${post.storageKey}.${file.format}`);
      assert.deepEqual(readFileSync(join(againDir, name)), readFileSync(join(catalogue.vaultDir, name)), name);
    }
  }
  const otherSeed = await generateCatalogue(mkdtempSync(join(catalogueDir, "seed2-")), 2);
  assert.notEqual((otherSeed.posts[0] as ArtworkPost).storageKey, (catalogue.posts[0] as ArtworkPost).storageKey);
  const reload = Date.now();
  await loadCatalogue({ dir: catalogueDir });
  assert.ok(Date.now() - reload < 500, "a second load reuses the cache");
});

test("catalogue files: renditions per §6, sizes 8x8 to 256x256, metadata matching the decoded files", async () => {
  const artworks = catalogue.posts.filter((p): p is ArtworkPost => p.kind === "artwork");
  const sizes = new Set(artworks.map((a) => `${a.width}x${a.height}`));
  for (const size of ["8x8", "64x32", "256x256"]) assert.ok(sizes.has(size), size);
  assert.ok(artworks.some((a) => a.width !== a.height && a.width < a.height), "a portrait one");
  assert.ok(artworks.some((a) => a.frameCount > 1 && a.transparencyActual));
  assert.ok(artworks.some((a) => a.alphaActual));
  assert.ok(artworks.some((a) => a.missingRenditions.length > 0));
  assert.ok(catalogue.posts.filter((p) => p.kind === "playlist").length >= 2);
  assert.ok(new Set(artworks.map((a) => a.owner)).size >= 5);
  for (const artwork of artworks) {
    const expected = artwork.frameCount > 1 ? ["gif", "webp"] : ["png", "gif", "webp", "bmp"];
    if (!expected.includes(artwork.nativeFormat)) expected.push(artwork.nativeFormat);
    assert.deepEqual(artwork.files.map((f) => f.format).sort(), expected.filter((f) => !artwork.missingRenditions.includes(f as never)).sort(), artwork.title);
    assert.equal(artwork.files.filter((f) => f.native).length, 1);
    for (const file of artwork.files) {
      const path = join(catalogue.vaultDir, artwork.storageShard, `${artwork.storageKey}.${file.format}`);
      assert.equal(statSync(path).size, file.fileBytes);
      if (file.format === "bmp") continue;
      const meta = await sharp(path, { animated: true }).metadata();
      assert.equal(meta.width, artwork.width, `${artwork.title}.${file.format}`);
      assert.equal(meta.pageHeight ?? meta.height, artwork.height);
      assert.equal(meta.pages ?? 1, artwork.frameCount, `${artwork.title}.${file.format} frames`);
      if (artwork.frameCount > 1) assert.equal(Math.min(...meta.delay!), artwork.minFrameDurationMs);
    }
  }
});

test("BMP renditions decode in ImageMagick to the picture flattened onto white", () => {
  const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 200, 100, 50, 1, 2, 3]);
  const dir = mkdtempSync(join(tmpdir(), "bmp-oracle-"));
  try {
    const file = join(dir, "t.bmp");
    writeFileSync(file, encodeBmp24(3, 2, rgb));
    const out = spawnSync("/usr/bin/convert", [file, "-depth", "8", "rgb:-"]);
    assert.equal(out.status, 0, String(out.stderr));
    assert.deepEqual(new Uint8Array(out.stdout), rgb);
    const bricks = catalogue.posts.find((p) => p.title === "Bricks") as ArtworkPost;
    const native = spawnSync("/usr/bin/convert", [join(catalogue.vaultDir, bricks.storageShard, `${bricks.storageKey}.bmp`), "-depth", "8", "rgba:-"]);
    const png = spawnSync("/usr/bin/convert", [join(catalogue.vaultDir, bricks.storageShard, `${bricks.storageKey}.png`), "-depth", "8", "rgba:-"]);
    assert.equal(native.stdout.length, bricks.width * bricks.height * 4);
    assert.deepEqual(native.stdout, png.stdout, "the BMP and PNG files hold the same pixels");
    const glow = catalogue.posts.find((p) => p.title === "Glow") as ArtworkPost;
    const flat = spawnSync("/usr/bin/convert", [join(catalogue.vaultDir, glow.storageShard, `${glow.storageKey}.bmp`), "-depth", "8", "rgb:-"]).stdout;
    const reference = spawnSync("/usr/bin/convert", [join(catalogue.vaultDir, glow.storageShard, `${glow.storageKey}.png`), "-background", "white", "-flatten", "-depth", "8", "rgb:-"]).stdout;
    assert.equal(flat.length, glow.width * glow.height * 3);
    assert.ok(flat.some((v, i) => v !== 255 && reference[i] !== 255), "the glow shows");
    assert.ok(flat.every((v, i) => Math.abs(v - reference[i]!) <= 1), "alpha flattened onto white, as ImageMagick does it");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("query cursors: offset pages, garbage restarts, negative offsets fail, seeded random is stable, reactions use keyset cursors", () => {
  const source: PostSource = { catalogue, reactions: new ReactionStore(catalogue), vaultUrl: "https://vault.test" };
  const query = (fields: Partial<PostQuery>) => queryPosts(source, { channel: "all", sort: "server_order", limit: 50, criteria: [], ...fields });
  const all = query({}).posts.map((p) => (p as { post_id: number }).post_id);
  const page2 = query({ limit: 5, cursor: "5" });
  assert.deepEqual(page2.posts.map((p) => (p as { post_id: number }).post_id), all.slice(5, 10));
  assert.equal(page2.nextCursor, "10");
  assert.deepEqual(query({ limit: 5, cursor: "abc" }).posts, query({ limit: 5 }).posts, "an unreadable cursor starts over");
  assert.throws(() => query({ cursor: "-5" }), (error: unknown) => error instanceof RpcError && error.errorCode === "internal_error");
  const seeded = (seed: number) => query({ sort: "random", randomSeed: seed }).posts.map((p) => (p as { post_id: number }).post_id);
  assert.deepEqual(seeded(7), seeded(7));
  assert.deepEqual(seeded(7), seeded(1_000_007), "the service uses seed % 1000000");
  assert.notDeepEqual(seeded(7), seeded(8));
  assert.deepEqual([...seeded(7)].sort(), [...all].sort());
  const created = query({ sort: "created_at" }).posts.map((p) => (p as { created_at: string }).created_at);
  assert.deepEqual(created, [...created].sort().reverse());
  assert.notDeepEqual(query({ sort: "created_at" }).posts, query({}).posts, "a back-dated upload makes the two orders differ");

  const first = query({ channel: "reactions", userHandle: "demo", limit: 2 });
  assert.equal(first.hasMore, true);
  assert.deepEqual(JSON.parse(Buffer.from(first.nextCursor!, "base64").toString()), { id: "5", sort: "2025-03-05T12:00:00+00:00" });
  const rest = query({ channel: "reactions", userHandle: "demo", limit: 2, cursor: first.nextCursor! });
  assert.equal(rest.hasMore, false);
  assert.equal(rest.posts.length, 1, "three posts with the owner's reactions");
  assert.throws(() => query({ channel: "reactions" }), (error: unknown) => error instanceof RpcError && error.errorCode === "missing_user_identifier");
  const user = query({ channel: "user" }).posts.map((p) => (p as { post_id: number }).post_id);
  assert.ok(user.includes(catalogue.posts.find((p) => p.title === "Private sketch")!.postId), "the owner's own channel shows its private post");
  assert.ok(!all.includes(catalogue.posts.find((p) => p.title === "Private sketch")!.postId));
  rmSync(catalogueDir, { recursive: true, force: true });
});
