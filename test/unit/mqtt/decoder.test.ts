// The incremental decoder: the same packets whatever the slicing of the byte stream, PUBLISH
// payloads streamed as views of the pushed bytes (never gathered into one buffer), the packet size
// and header buffer limits, sticky errors, reset, and exceptions thrown by the sink.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { concatBytes } from "../../support/bytes.js";
import { MqttDecoder, type DecoderSink } from "../../../src/mqtt/decode.js";
import { encodePacket } from "../../../src/mqtt/encode.js";
import { MqttProtocolError } from "../../../src/mqtt/errors.js";
import type { ControlPacket, OutgoingPacket, PublishPacket } from "../../../src/mqtt/packets.js";
import {
  CollectingSink, Prng, asPackets, type Decoded, decodeChunks, hex, reasonOf, samplePackets,
} from "../../support/mqtt-codec.js";

function publish(payloadLength: number, fields: Partial<PublishPacket> = {}): PublishPacket {
  const payload = new Uint8Array(payloadLength);
  for (let i = 0; i < payloadLength; i++) payload[i] = (i * 7 + (i >> 8)) & 0xff;
  return { type: 3, topic: "makapix/post/42", qos: 1, retain: false, dup: false, packetId: 7, payload, ...fields };
}

/** Every sample packet plus PUBLISHes with empty, small and mid-size payloads, as one byte stream. */
function mixedStream(): { packets: OutgoingPacket[]; bytes: Uint8Array } {
  const packets: OutgoingPacket[] = [...samplePackets(), publish(0), publish(1), publish(300, { qos: 0, packetId: undefined }), { type: 13 }];
  for (const packet of packets) if (packet.type === 3 && packet.packetId === undefined) delete packet.packetId;
  return { packets, bytes: concatBytes(packets.map((packet) => encodePacket(packet))) };
}

function sliceAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  return chunks;
}

/**
 * Whether `decoded` is exactly the packets of `bytes`, checked by encoding them again: the encoding
 * is canonical (codec.test.ts), and comparing bytes is far cheaper than deepEqual in XS, which
 * matters when a test decodes the stream a thousand times.
 */
function sameBytes(decoded: Decoded[], bytes: Uint8Array): boolean {
  const again = concatBytes(asPackets(decoded).map((packet) => encodePacket(packet)));
  if (again.length !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (again[i] !== bytes[i]) return false;
  return true;
}

describe("slicing the stream does not change the result", () => {
  const { packets, bytes } = mixedStream();

  test("whole stream in one push", () => {
    assert.deepEqual(asPackets(decodeChunks([bytes])), packets);
  });

  test("one byte at a time", () => {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
    const decoded = decodeChunks(chunks);
    assert.deepEqual(asPackets(decoded), packets);
    // Each payload byte arrives in its own slice.
    for (const item of decoded) if (item.type === 3) assert.equal(item.chunkSizes.length, item.header.payloadLength);
  });

  test("two pushes, at every split point of every packet", () => {
    // Each packet after a PINGRESP (so the decoder has just finished a packet), cut at every byte
    // offset. Cuts between packets are covered by the byte-at-a-time and random slicing tests.
    const pingresp = encodePacket({ type: 13 });
    assert.ok(sameBytes(decodeChunks([bytes]), bytes));
    let splits = 0;
    for (const packet of packets) {
      const stream = concatBytes([pingresp, encodePacket(packet)]);
      for (let cut = pingresp.length; cut <= stream.length; cut++) {
        const decoded = decodeChunks(sliceAt(stream, [cut]));
        if (!sameBytes(decoded, stream)) assert.deepEqual(asPackets(decoded), [{ type: 13 }, packet], `packet type ${packet.type}, split at ${cut}`);
        splits++;
      }
    }
    assert.ok(splits > bytes.length, `${splits} split points`);
  });

  test("random slicings (seeded), including empty pushes", () => {
    const random = new Prng(0x5eed);
    for (let round = 0; round < 100; round++) {
      const cuts: number[] = [];
      const count = random.between(1, 40);
      for (let i = 0; i < count; i++) cuts.push(random.below(bytes.length + 1));
      cuts.sort((a, b) => a - b);
      if (!sameBytes(decodeChunks(sliceAt(bytes, cuts)), bytes)) assert.deepEqual(asPackets(decodeChunks(sliceAt(bytes, cuts))), packets, `cuts ${cuts.join(",")}`);
    }
  });

  test("malformed input fails with the same reason code at every split point", () => {
    // A valid CONNACK, then a PUBLISH whose topic has a wildcard.
    const bad = concatBytes([encodePacket(samplePackets()[2]), hex("30 06 00 03 61 2f 23 00")]);
    for (let cut = 0; cut <= bad.length; cut++) {
      const sink = new CollectingSink();
      const decoder = new MqttDecoder(sink, { maximumPacketSize: 1000 });
      assert.equal(reasonOf(() => sliceAt(bad, [cut]).forEach((chunk) => decoder.push(chunk))), 0x90, `split at ${cut}`);
      assert.equal(sink.decoded.length, 1, "the CONNACK before it was delivered");
    }
  });
});

describe("PUBLISH payloads are streamed", () => {
  const packet = publish(128 * 1024, { properties: { topicAlias: 2, contentType: "image/webp" } });
  const bytes = encodePacket(packet);

  for (const chunkSize of [1000, 4096, 65536]) {
    test(`128 KiB payload pushed in ${chunkSize}-byte slices: delivered as views no larger than each push`, () => {
      const sink = new CollectingSink();
      // A header buffer far smaller than the payload: the payload cannot have been gathered in it.
      const decoder = new MqttDecoder(sink, { maximumPacketSize: 200_000, maximumHeaderSize: 64 });
      const pushed: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; at += chunkSize) {
        // Each push in its own buffer, so a delivered slice shows which push it came from.
        const chunk = bytes.slice(at, at + chunkSize);
        pushed.push(chunk);
        const before = sink.slices.length;
        decoder.push(chunk);
        for (const slice of sink.slices.slice(before)) {
          assert.equal(slice.buffer, chunk.buffer, "a payload slice is a view of the pushed bytes");
          assert.ok(slice.length <= chunk.length);
        }
      }
      assert.ok(sink.slices.length >= Math.ceil(packet.payload.length / chunkSize));
      assert.ok(Math.max(...sink.slices.map((slice) => slice.length)) <= chunkSize);
      assert.deepEqual(asPackets(sink.decoded), [packet]);
    });
  }

  test("a payload that arrives in one push is passed on as a view, without a copy", () => {
    const sink = new CollectingSink();
    new MqttDecoder(sink, { maximumPacketSize: 200_000 }).push(bytes);
    assert.equal(sink.slices.length, 1);
    assert.equal(sink.slices[0].buffer, bytes.buffer);
    assert.equal(sink.slices[0].length, packet.payload.length);
  });

  test("publishStart comes before the first payload byte, with the payload length", () => {
    const events: string[] = [];
    const decoder = new MqttDecoder(
      {
        packet: () => events.push("packet"),
        publishStart: (header) => events.push(`start ${header.topic} ${header.payloadLength}`),
        publishData: (chunk) => events.push(`data ${chunk.length}`),
        publishEnd: () => events.push("end"),
      },
      { maximumPacketSize: 200_000 },
    );
    const headerLength = bytes.length - packet.payload.length;
    decoder.push(bytes.subarray(0, headerLength));
    assert.deepEqual(events, [`start makapix/post/42 ${128 * 1024}`]);
    decoder.push(bytes.subarray(headerLength, headerLength + 10));
    decoder.push(bytes.subarray(headerLength + 10));
    assert.deepEqual(events, [`start makapix/post/42 ${128 * 1024}`, "data 10", `data ${128 * 1024 - 10}`, "end"]);
  });

  test("an empty payload: publishStart then publishEnd, no data", () => {
    const events: string[] = [];
    const decoder = new MqttDecoder(
      { packet: () => events.push("packet"), publishStart: () => events.push("start"), publishData: () => events.push("data"), publishEnd: () => events.push("end") },
      { maximumPacketSize: 100 },
    );
    decoder.push(encodePacket(publish(0)));
    assert.deepEqual(events, ["start", "end"]);
  });
});

describe("limits", () => {
  test("maximumPacketSize: the exact size passes, one byte more fails with 0x95 before the body arrives", () => {
    const bytes = encodePacket(publish(1000));
    assert.equal(decodeChunks([bytes], { maximumPacketSize: bytes.length }).length, 1);
    const sink = new CollectingSink();
    const decoder = new MqttDecoder(sink, { maximumPacketSize: bytes.length - 1 });
    // Fixed header only: the size is known from the Remaining Length.
    assert.throws(() => decoder.push(bytes.subarray(0, 3)), (error: unknown) => error instanceof MqttProtocolError && error.reasonCode === 0x95);
    assert.equal(sink.decoded.length, 0);
    assert.equal(sink.slices.length, 0);
  });

  test("maximumPacketSize applies to control packets too", () => {
    const bytes = encodePacket(samplePackets()[2]);
    assert.equal(reasonOf(() => decodeChunks([bytes], { maximumPacketSize: bytes.length - 1 })), 0x95);
  });

  test("a control packet larger than the header buffer → 0x95", () => {
    const connack = encodePacket(samplePackets()[2]);
    const bodyLength = connack.length - 2; // type byte and a one-byte Remaining Length
    assert.ok(bodyLength < 128);
    assert.equal(decodeChunks([connack], { maximumPacketSize: 1000, maximumHeaderSize: bodyLength }).length, 1);
    assert.equal(reasonOf(() => decodeChunks([connack], { maximumPacketSize: 1000, maximumHeaderSize: bodyLength - 1 })), 0x95);
  });

  test("a PUBLISH header (topic, properties) larger than the header buffer → 0x95", () => {
    const longTopic = encodePacket(publish(10, { topic: "t".repeat(100) }));
    assert.equal(reasonOf(() => decodeChunks([longTopic], { maximumPacketSize: 1000, maximumHeaderSize: 64 })), 0x95);
    const longProperties = encodePacket(publish(10, { properties: { contentType: "c".repeat(100) } }));
    assert.equal(reasonOf(() => decodeChunks([longProperties], { maximumPacketSize: 1000, maximumHeaderSize: 64 })), 0x95);
    assert.equal(decodeChunks([longProperties], { maximumPacketSize: 1000, maximumHeaderSize: 128 }).length, 1);
  });

  test("with publishDiscarded, an oversized PUBLISH header is skipped whole, in any slicing, and the stream goes on", () => {
    const oversized = [
      publish(10, { topic: "t".repeat(100), packetId: 0x1234 }),
      publish(10, { topic: "t".repeat(100), qos: 0, packetId: undefined }),
      publish(300, { properties: { contentType: "c".repeat(100) }, packetId: 0x0101 }),
      publish(5, { properties: { userProperties: Array.from({ length: 3 }, (_, i): [string, string] => [`k${i}`, "v"]) }, packetId: 9 }),
    ];
    for (const packet of oversized) if (packet.packetId === undefined) delete packet.packetId;
    const after = publish(3, { packetId: 77 });
    const bytes = concatBytes([...oversized.map((packet) => encodePacket(packet)), encodePacket(after), encodePacket({ type: 13 })]);
    for (const slice of [1, 7, bytes.length]) {
      const sink = new CollectingSink() as CollectingSink & { discarded: string[] };
      sink.discarded = [];
      (sink as DecoderSink).publishDiscarded = (discarded) => sink.discarded.push(`${discarded.qos}:${discarded.packetId}`);
      const decoder = new MqttDecoder(sink, { maximumPacketSize: 1000, maximumHeaderSize: 64, maximumUserProperties: 2 });
      for (let at = 0; at < bytes.length; at += slice) decoder.push(bytes.subarray(at, at + slice));
      assert.deepEqual(sink.discarded, ["1:4660", "0:undefined", "1:257", "1:9"], `slices of ${slice}`);
      assert.deepEqual(asPackets(sink.decoded), [after, { type: 13 }], `slices of ${slice}`);
    }
  });
});

describe("errors, reset and the sink", () => {
  test("an error is sticky: every later push throws it until reset()", () => {
    const sink = new CollectingSink();
    const decoder = new MqttDecoder(sink, { maximumPacketSize: 100 });
    let first: unknown;
    try {
      decoder.push(hex("00 00"));
    } catch (error) {
      first = error;
    }
    assert.ok(first instanceof MqttProtocolError);
    assert.throws(() => decoder.push(hex("d0 00")), (error: unknown) => error === first);
    assert.equal(sink.decoded.length, 0);
    decoder.reset();
    decoder.push(hex("d0 00"));
    assert.deepEqual(sink.decoded, [{ type: 13 }]);
  });

  test("reset() drops a partial packet", () => {
    const sink = new CollectingSink();
    const decoder = new MqttDecoder(sink, { maximumPacketSize: 100 });
    decoder.push(hex("20 03 00"));
    decoder.reset();
    decoder.push(hex("c0 00"));
    assert.deepEqual(sink.decoded, [{ type: 12 }]);
  });

  test("an exception from the sink reaches the caller unchanged, not as a protocol error", () => {
    class SinkFailure extends Error {}
    const failure = new SinkFailure("handler broke");
    const delivered: ControlPacket[] = [];
    const sink: DecoderSink = {
      packet(packet) {
        delivered.push(packet);
        if (packet.type === 12) throw failure;
      },
      publishStart() {},
      publishData() {},
      publishEnd() {},
    };
    const decoder = new MqttDecoder(sink, { maximumPacketSize: 100 });
    assert.throws(() => decoder.push(hex("c0 00 d0 00")), (error: unknown) => error === failure);
    // The rest of that push was dropped, and the decoder is not in an error state.
    assert.deepEqual(delivered, [{ type: 12 }]);
    decoder.push(hex("d0 00"));
    assert.deepEqual(delivered, [{ type: 12 }, { type: 13 }]);
  });

  test("a sink that resets the decoder stops the current push", () => {
    const delivered: number[] = [];
    let decoder: MqttDecoder | undefined;
    const sink: DecoderSink = {
      packet(packet) {
        delivered.push(packet.type);
        decoder?.reset();
      },
      publishStart() {},
      publishData() {},
      publishEnd() {},
    };
    decoder = new MqttDecoder(sink, { maximumPacketSize: 100 });
    decoder.push(hex("c0 00 d0 00 c0 00"));
    assert.deepEqual(delivered, [12]);
    decoder.push(hex("d0 00"));
    assert.deepEqual(delivered, [12, 13]);
  });

  test("decoded binary fields do not change when the pushed bytes are reused", () => {
    const connect = encodePacket(samplePackets()[0]);
    const reused = new Uint8Array(connect.length);
    reused.set(connect);
    const decoded = decodeChunks([reused]);
    reused.fill(0);
    assert.deepEqual(asPackets(decoded), [samplePackets()[0]]);
  });
});
