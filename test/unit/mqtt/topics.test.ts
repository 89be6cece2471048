// Topic names, topic filters and matching (MQTT 5.0 §4.7), including the examples of the spec.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MqttProtocolError } from "../../../src/mqtt/errors.js";
import { isValidTopicFilter, isValidTopicName, topicMatches, validateTopicFilter, validateTopicName } from "../../../src/mqtt/topics.js";
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
