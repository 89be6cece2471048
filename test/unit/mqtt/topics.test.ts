// Topic names, topic filters and matching (MQTT 5.0 §4.7), including the examples of the spec.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MqttProtocolError } from "../../../src/mqtt/errors.js";
import { isValidTopicFilter, isValidTopicName, topicMatches, validateTopicFilter, validateTopicName } from "../../../src/mqtt/topics.js";
import { encodePacket } from "../../../src/mqtt/encode.js";
import { utf8Length } from "../../../src/util/utf8.js";
import { Prng, randomTopic } from "../../support/mqtt-codec.js";

describe("topic names", () => {
  test("valid names", () => {
    for (const name of ["a", "/", "a/b", "/a", "a/", "a//b", "$SYS/x", "makapix/player/0b7e/command", "é/€/\u{1f600}", " ", "\ufeffa"]) {
      assert.ok(isValidTopicName(name), name);
      validateTopicName(name);
    }
    assert.ok(isValidTopicName("x".repeat(65535)), "65535 bytes is the limit");
  });

  test("invalid names throw 0x90 and say why", () => {
    const cases: [string, RegExp][] = [
      ["", /empty/],
      ["a/+", /wildcard '\+' at index 2/],
      ["#", /wildcard '#'/],
      ["a/b#", /wildcard/],
      ["a\u0000b", /U\+0000 at index 1/],
      ["x".repeat(65536), /longer than 65535 bytes/],
    ];
    for (const [name, reason] of cases) {
      assert.equal(isValidTopicName(name), false, name.slice(0, 20));
      assert.throws(() => validateTopicName(name), (error: unknown) => error instanceof MqttProtocolError && error.reasonCode === 0x90 && reason.test(error.message));
    }
    // 21846 × 3 bytes: counted character by character, which is slow in XS (see topics.ts), so once.
    assert.equal(isValidTopicName("€".repeat(21846)), false);
    assert.equal(isValidTopicName("€".repeat(21845)), true);
  });
});

describe("topic length in UTF-8 bytes, under both string models", () => {
  // 16384 emoji are 65536 bytes: 32768 indexes in Node and xsnap, 16384 in a Moddable app, where a
  // count from .length let it through. The limit is asserted in bytes, whatever .length says.
  const WAVE = "\u{1F44B}";

  test("emoji topics at the 65535-byte limit, one byte under and one over", () => {
    const under = WAVE.repeat(16383) + "ab"; // 65534 bytes
    const limit = WAVE.repeat(16383) + "abc"; // 65535 bytes
    const over = WAVE.repeat(16384); // 65536 bytes
    assert.equal(utf8Length(under), 65534);
    assert.equal(utf8Length(limit), 65535);
    assert.equal(utf8Length(over), 65536);
    assert.equal(isValidTopicName(under), true);
    assert.equal(isValidTopicName(limit), true);
    assert.equal(isValidTopicName(over), false);
    assert.throws(() => validateTopicName(over), (error: unknown) => error instanceof MqttProtocolError && error.reasonCode === 0x90 && /longer than 65535 bytes \(65536 bytes of UTF-8\)/.test(error.message));
    assert.equal(isValidTopicName(WAVE.repeat(16383) + "abcd"), false, "65536 bytes, the last four ASCII");
  });

  test("emoji filters: the same limit, and an emoji topic matches its filter", () => {
    assert.equal(isValidTopicFilter(WAVE.repeat(16383) + "/#"), true, "65534 bytes");
    assert.throws(() => validateTopicFilter(WAVE.repeat(16383) + "/ab#"), (error: unknown) => error instanceof MqttProtocolError && error.reasonCode === 0x8f);
    assert.throws(() => validateTopicFilter(WAVE.repeat(16384)), (error: unknown) => error instanceof MqttProtocolError && error.reasonCode === 0x8f && /longer than 65535 bytes/.test(error.message));
    assert.ok(topicMatches(`${WAVE}/+/x`, `${WAVE}/\u732b${WAVE}/x`));
    assert.ok(!topicMatches(`${WAVE}/+`, `\u{1F431}/a`));
  });

  test("the encoder writes the 65535-byte emoji topic with a length of ffff", () => {
    const topic = WAVE.repeat(16383) + "abc";
    const bytes = encodePacket({ type: 3, topic, qos: 0, retain: false, dup: false, payload: new Uint8Array(0) });
    // Fixed header (1 + 3 bytes of remaining length), then the topic's two-byte length.
    assert.deepEqual([bytes[4], bytes[5]], [0xff, 0xff]);
    assert.deepEqual([...bytes.subarray(6, 10)], [0xf0, 0x9f, 0x91, 0x8b]);
    assert.throws(() => encodePacket({ type: 3, topic: WAVE.repeat(16384), qos: 0, retain: false, dup: false, payload: new Uint8Array(0) }), MqttProtocolError);
  });
});

describe("topic filters", () => {
  test("valid filters", () => {
    for (const filter of ["#", "+", "+/+", "a/#", "a/+/b", "/+", "+/", "a//#", "$SYS/#", "$share/group/a/+", "$share/g/#", "sport/tennis/+/#"]) {
      assert.ok(isValidTopicFilter(filter), filter);
      validateTopicFilter(filter);
    }
  });

  test("invalid filters throw 0x8F and say why", () => {
    const cases: [string, RegExp][] = [
      ["", /empty/],
      ["a#", /does not occupy a whole level/],
      ["a/#/b", /not the last level/],
      ["a+", /does not occupy a whole level/],
      ["+a/b", /does not occupy a whole level/],
      ["a/b+/c", /does not occupy a whole level/],
      ["##", /does not occupy a whole level/],
      ["a\u0000", /U\+0000/],
      ["$share/", /needs "\$share\/<name>\/<filter>"/],
      ["$share/g", /needs/],
      ["$share//a", /needs/],
      ["$share/g/", /empty filter/],
      ["$share/g+/a", /share name .* contains a wildcard/],
      ["$share/#/a", /share name .* contains a wildcard/],
      ["x".repeat(65536), /longer than 65535 bytes/],
    ];
    for (const [filter, reason] of cases) {
      assert.equal(isValidTopicFilter(filter), false, filter.slice(0, 20));
      assert.throws(() => validateTopicFilter(filter), (error: unknown) => error instanceof MqttProtocolError && error.reasonCode === 0x8f && reason.test(error.message), filter.slice(0, 20));
    }
  });
});

describe("matching", () => {
  const cases: [string, string, boolean][] = [
    // MQTT 5.0 §4.7.1.2 and §4.7.1.3 examples.
    ["sport/tennis/player1/#", "sport/tennis/player1", true],
    ["sport/tennis/player1/#", "sport/tennis/player1/ranking", true],
    ["sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true],
    ["sport/#", "sport", true],
    ["#", "sport/tennis", true],
    ["sport/tennis/+", "sport/tennis/player1", true],
    ["sport/tennis/+", "sport/tennis/player1/ranking", false],
    ["sport/+", "sport", false],
    ["sport/+", "sport/", true],
    ["+/+", "/finance", true],
    ["/+", "/finance", true],
    ["+", "/finance", false],
    // §4.7.2: wildcards at the first level do not match topics starting with '$'.
    ["#", "$SYS/x", false],
    ["+/monitor/Clients", "$SYS/monitor/Clients", false],
    ["$SYS/#", "$SYS/monitor/Clients", true],
    ["$SYS/monitor/+", "$SYS/monitor/Clients", true],
    // Plain levels compare exactly (case, length, empty levels).
    ["a/b", "a/b", true],
    ["a/b", "a/B", false],
    ["a/b", "a/bc", false],
    ["a/bc", "a/b", false],
    ["a/b", "a/b/", false],
    ["a//b", "a//b", true],
    ["a/+/b", "a//b", true],
    ["a/#", "a", true],
    ["a/#", "ab", false],
    ["a/+/#", "a", false],
    ["a/+/#", "a/x", true],
    ["+/#", "a", true],
    ["#", "/", true],
    ["+", "", false],
    ["é/+", "é/€", true],
    // Shared subscriptions match like their filter.
    ["$share/group/a/+", "a/b", true],
    ["$share/group/a/+", "group/a", false],
    ["$share/g/#", "$SYS/x", false],
    ["makapix/player/+/command", "makapix/player/0b7e/command", true],
    ["makapix/player/+/command", "makapix/player/0b7e/status", false],
  ];
  for (const [filter, topic, expected] of cases) {
    test(`${JSON.stringify(filter)} ${expected ? "matches" : "does not match"} ${JSON.stringify(topic)}`, () => {
      assert.equal(topicMatches(filter, topic), expected);
    });
  }

  test("agrees with a level-by-level reference on random topics and filters (seeded)", () => {
    const random = new Prng(4711);
    const reference = (filter: string, topic: string): boolean => {
      const f = filter.split("/");
      const t = topic.split("/");
      if (topic.startsWith("$") && (f[0] === "+" || f[0] === "#")) return false;
      for (let i = 0; i < f.length; i++) {
        if (f[i] === "#") return true;
        if (i >= t.length) return false;
        if (f[i] !== "+" && f[i] !== t[i]) return false;
      }
      return f.length === t.length;
    };
    let matches = 0;
    for (let round = 0; round < 3000; round++) {
      const topic = randomTopic(random, 4);
      // Filters derived from the topic (so that some match), with levels replaced by wildcards.
      const levels = (random.chance(0.7) ? topic : randomTopic(random, 4)).split("/");
      const filterLevels: string[] = [];
      for (let i = 0; i < levels.length; i++) {
        if (random.chance(0.2)) {
          filterLevels.push("#");
          break;
        }
        filterLevels.push(random.chance(0.25) ? "+" : levels[i]);
      }
      if (random.chance(0.2)) filterLevels.pop();
      const filter = filterLevels.length === 0 ? "#" : filterLevels.join("/");
      if (!isValidTopicFilter(filter)) continue;
      const expected = reference(filter, topic);
      if (expected) matches++;
      assert.equal(topicMatches(filter, topic), expected, `${filter} vs ${topic}`);
    }
    assert.ok(matches > 300, `only ${matches} matching pairs: the generator is too weak`);
  });
});
