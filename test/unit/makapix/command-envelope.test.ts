// The command envelope reader and typed payload fields (protocol sheet §5).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CommandReader, PayloadFields, type CommandEnvelope, type CommandReaderOptions } from "../../../src/makapix/command-envelope.js";
import { JsonError } from "../../../src/json/errors.js";
import { encodeText, feed, type Slicing } from "../../support/json-events.js";
import { serviceJson } from "../../support/makapix-replies.js";

const ID = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";

function read(text: string, slicing: Slicing = "whole", options: CommandReaderOptions = {}): { envelope?: CommandEnvelope; error?: JsonError; commandId?: string } {
  const reader = new CommandReader(options);
  try {
    feed((chunk) => reader.push(chunk), encodeText(text), slicing);
    return { envelope: reader.finish() };
  } catch (error) {
    if (!(error instanceof JsonError)) throw error;
    return { error, commandId: reader.commandId };
  }
}

function command(type: string, payload: unknown, extra: Record<string, unknown> = {}): string {
  return serviceJson({ command_id: ID, command_type: type, payload, timestamp: "2026-01-02T03:04:05.678901+00:00", ...extra } as Parameters<typeof serviceJson>[0]);
}

describe("envelope", () => {
  test("show_artwork: envelope fields and a payload read field by field, any slicing", () => {
    const text = command("show_artwork", {
      post_id: 42, title: null, storage_key: "abc-123", storage_shard: "", native_format: "gif", width: 64, height: null,
    });
    const whole = read(text);
    assert.deepEqual(read(text, "bytes"), whole);
    const envelope = whole.envelope!;
    assert.equal(envelope.commandId, ID);
    assert.equal(envelope.commandType, "show_artwork");
    assert.equal(envelope.timestamp, "2026-01-02T03:04:05.678901+00:00");
    const fields = new PayloadFields(envelope.payload);
    assert.equal(fields.integer("post_id", 1, Number.MAX_SAFE_INTEGER), 42);
    assert.equal(fields.optionalString("title", { maxUnits: 200 }), undefined);
    assert.equal(fields.string("storage_key", { maxUnits: 128 }), "abc-123");
    assert.equal(fields.string("storage_shard", { maxUnits: 64 }), "");
    assert.equal(fields.optionalString("native_format", { maxUnits: 8, values: ["png", "gif", "webp", "bmp"] }), "gif");
    assert.equal(fields.optionalInteger("width", 1, 65535), 64);
    assert.equal(fields.optionalInteger("height", 1, 65535), undefined);
  });

  test("the payload may come before command_type; unknown envelope fields are skipped", () => {
    const text = `{"payload": {"paused": true}, "extra": {"deep": [1, 2, "${"x".repeat(5000)}"]}, "command_type": "set_paused", "command_id": "${ID}"}`;
    const { envelope } = read(text, [3, 50, 60]);
    assert.deepEqual(envelope, { commandId: ID, commandType: "set_paused", payload: { paused: true } });
    assert.equal(new PayloadFields(envelope!.payload).boolean("paused"), true);
  });

  test("an empty, null or missing payload reads as {}", () => {
    assert.deepEqual(read(command("swap_next", {})).envelope?.payload, {});
    assert.deepEqual(read(command("swap_next", null)).envelope?.payload, {});
    assert.deepEqual(read(`{"command_id": "a", "command_type": "swap_back"}`).envelope, { commandId: "a", commandType: "swap_back", payload: {} });
  });

  test("play_playset: a list of channel objects", () => {
    const channels = [
      { type: "user", name: "by_user", identifier: "sq1", display_name: "Ann", weight: 3 },
      { type: "hashtag", name: "hashtag", identifier: "cats", display_name: "#cats", weight: 1 },
    ];
    const { envelope } = read(command("play_playset", { playset_name: "followed_artists", channels, exposure_mode: "manual", pick_mode: "random" }));
    const fields = new PayloadFields(envelope!.payload);
    const list = fields.objects("channels", 64);
    assert.deepEqual(
      list.map((channel) => [channel.string("type", { maxUnits: 16, values: ["named", "user", "hashtag", "sdcard"] }), channel.optionalNumber("weight", 0, 1e6)]),
      [["user", 3], ["hashtag", 1]],
    );
    assert.equal(fields.string("exposure_mode", { maxUnits: 16, values: ["equal", "manual", "proportional"] }), "manual");
    assert.deepEqual(fields.objects("missing", 4), []);
  });
});

describe("refused commands", () => {
  test("a missing or wrong-typed envelope field", () => {
    assert.deepEqual(pick(read(`{"command_type": "swap_next", "payload": {}}`)), ["missing", "command_id", undefined]);
    assert.deepEqual(pick(read(`{"command_id": "a", "payload": {}}`)), ["missing", "command_type", "a"]);
    assert.deepEqual(pick(read(`{"command_id": "a", "command_type": 5}`)), ["type", "command_type", "a"]);
    assert.deepEqual(pick(read(`{"command_id": "a", "command_type": "x", "payload": [1]}`)), ["type", "payload", "a"]);
    assert.deepEqual(pick(read(`{"command_id": "a", "command_type": "x", "payload": "{}"}`)), ["type", "payload", "a"]);
    assert.deepEqual(pick(read(`{"command_id": ["a"], "command_type": "x"}`)), ["type", "command_id", undefined]);
    assert.deepEqual(pick(read(`{"command_id": "${"a".repeat(65)}", "command_type": "x"}`)), ["too_long", "command_id", undefined]);
    assert.deepEqual(pick(read(`{"command_id": "a", "command_id": "b", "command_type": "x"}`)), ["duplicate", "command_id", "a"]);
    assert.deepEqual(pick(read(`[]`)), ["type", "", undefined]);
    assert.deepEqual(pick(read(`"swap_next"`)), ["type", "", undefined]);
  });

  test("a payload over its budget is refused after the whole message, and the command id is still known", () => {
    const many = command("play_playset", { channels: Array.from({ length: 100 }, (_, i) => ({ type: "user", identifier: String(i) })) });
    assert.deepEqual(pick(read(many, "whole", { maxPayloadNodes: 64 })), ["too_long", "payload", ID]);
    const long = command("show_artwork", { storage_key: "k".repeat(300) });
    assert.deepEqual(pick(read(long)), ["too_long", "payload", ID]);
    const text = command("show_artwork", { a: "x".repeat(200), b: "y".repeat(200) });
    assert.deepEqual(pick(read(text, "whole", { maxPayloadUnits: 300 })), ["too_long", "payload", ID]);
    assert.deepEqual(pick(read(command("x", { a: 1, a2: 2 }).replace('"a2"', '"a"'))), ["duplicate", "payload", ID]);
    assert.equal(read(command("x", { d: [[[[[[[[[[1]]]]]]]]]] })).envelope?.commandType, "x");
  });

  test("syntax errors and truncation", () => {
    const good = command("swap_next", {});
    assert.equal(read(good.slice(0, -1)).error?.code, "truncated");
    assert.equal(read(good.replace("{}", "{,}")).error?.code, "syntax");
    assert.equal(read(good + "x").error?.code, "syntax");
  });
});

describe("payload fields", () => {
  const fields = new PayloadFields({ n: 1.5, i: 7, s: "abc", b: false, o: {}, a: [1], nul: null });

  test("each reader refuses the wrong type, range, length or value, naming the field", () => {
    assert.throws(() => fields.integer("n", 0, 10), { code: "type", path: "payload.n" });
    assert.throws(() => fields.integer("s", 0, 10), { code: "type", path: "payload.s" });
    assert.throws(() => fields.integer("i", 0, 5), { code: "type", path: "payload.i" });
    assert.throws(() => fields.integer("nul", 0, 5), { code: "missing", path: "payload.nul" });
    assert.throws(() => fields.string("absent", { maxUnits: 5 }), { code: "missing", path: "payload.absent" });
    assert.throws(() => fields.string("s", { maxUnits: 2 }), { code: "too_long", path: "payload.s" });
    assert.throws(() => fields.string("s", { maxUnits: 5, values: ["x"] }), { code: "type" });
    assert.throws(() => fields.optionalString("i", { maxUnits: 5 }), { code: "type" });
    assert.throws(() => fields.boolean("o"), { code: "type", path: "payload.o" });
    assert.throws(() => fields.objects("a", 5), { code: "type", path: "payload.a[0]" });
    assert.throws(() => fields.objects("s", 5), { code: "type", path: "payload.s" });
    assert.throws(() => fields.optionalNumber("n", 2, 3), { code: "type" });
    assert.equal(fields.optionalNumber("n", 0, 3), 1.5);
    assert.equal(fields.boolean("b"), false);
    assert.equal(fields.has("nul"), false);
    assert.equal(fields.has("toString"), false);
  });
});

function pick(result: { error?: JsonError; commandId?: string }): [string | undefined, string | undefined, string | undefined] {
  return [result.error?.code, result.error?.path, result.commandId];
}
