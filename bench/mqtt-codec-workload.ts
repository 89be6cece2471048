// The MQTT codec benchmark workload, portable (runs in Node and, bundled, inside XS): a realistic
// mix of what a player's session carries, encoded packet by packet and decoded from a byte stream
// cut into TCP-segment-sized slices.

import { MqttDecoder, type DecoderSink } from "../src/mqtt/decode.js";
import { encodePacket } from "../src/mqtt/encode.js";
import type { ControlPacket, OutgoingPacket, PublishHeader } from "../src/mqtt/packets.js";
import { utf8Encode } from "../src/util/utf8.js";
import { concatBytes } from "../test/support/bytes.js";

const PLAYER = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";
/** Bytes per push when decoding: one TCP segment on a 1500-byte MTU. */
export const SEGMENT = 1460;

/**
 * 100 PUBLISH QoS 1 with small JSON payloads (commands and status, some with properties), one 28 KB
 * PUBLISH (an artwork), 100 PUBACK, 10 PINGREQ, 10 PINGRESP, 2 SUBSCRIBE: 223 packets.
 */
export function buildMix(): OutgoingPacket[] {
  const packets: OutgoingPacket[] = [];
  for (let i = 0; i < 100; i++) {
    const json = i % 2 === 0
      ? `{"request_id":"${i}","command":"show_artwork","post_id":${1000 + i},"storage_key":"a1b2c3d4-${i}","art_url":"https://vault.makapix.club/a1/b2/${i}.webp","dwell_ms":30000}`
      : `{"player_key":"${PLAYER}","status":"online","current_post_id":${i},"firmware":"1.0.${i}","free_heap":81234}`;
    packets.push({
      type: 3,
      topic: i % 2 === 0 ? `makapix/player/${PLAYER}/command` : `makapix/player/${PLAYER}/status`,
      qos: 1,
      retain: false,
      dup: false,
      packetId: i + 1,
      properties: i % 4 === 0 ? { messageExpiryInterval: 60, contentType: "application/json", userProperties: [["request_id", String(i)]] } : undefined,
      payload: utf8Encode(json),
    });
    packets.push({ type: 4, packetId: i + 1, reasonCode: 0 });
    if (i % 10 === 0) packets.push({ type: 12 }, { type: 13 });
    if (i === 50) {
      const art = new Uint8Array(28 * 1024);
      for (let j = 0; j < art.length; j++) art[j] = (j * 131 + (j >> 9)) & 0xff;
      packets.push({ type: 3, topic: `makapix/player/${PLAYER}/artwork`, qos: 1, retain: false, dup: false, packetId: 200, payload: art });
    }
  }
  const subscribe = (packetId: number, filter: string): OutgoingPacket => ({
    type: 8, packetId, subscriptions: [{ topicFilter: filter, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }],
  });
  packets.unshift(subscribe(300, `makapix/player/${PLAYER}/command`), subscribe(301, "makapix/post/new/#"));
  for (const packet of packets) {
    // encodePacket leaves out undefined properties, but keep the objects free of them anyway.
    if (packet.type === 3 && packet.properties === undefined) delete packet.properties;
  }
  return packets;
}

/** Encodes every packet once; returns the total bytes (so the work cannot be optimised away). */
export function encodeAll(packets: readonly OutgoingPacket[]): number {
  let bytes = 0;
  for (let i = 0; i < packets.length; i++) bytes += encodePacket(packets[i]).length;
  return bytes;
}

/** The mix as one byte stream, cut into SEGMENT-sized slices. */
export function streamSlices(packets: readonly OutgoingPacket[]): Uint8Array[] {
  const stream = concatBytes(packets.map((packet) => encodePacket(packet)));
  const length = stream.length;
  const slices: Uint8Array[] = [];
  for (let start = 0; start < length; start += SEGMENT) slices.push(stream.subarray(start, Math.min(start + SEGMENT, length)));
  return slices;
}

/** A sink that does what the firmware's router does at least: looks at each packet, counts payload bytes. */
export class CountingSink implements DecoderSink {
  packets = 0;
  payloadBytes = 0;
  lastType = 0;
  lastTopic = "";

  packet(packet: ControlPacket): void {
    this.lastType = packet.type;
    this.packets++;
  }

  publishStart(header: PublishHeader): void {
    this.lastTopic = header.topic;
  }

  publishData(chunk: Uint8Array): void {
    this.payloadBytes += chunk.length;
  }

  publishEnd(): void {
    this.packets++;
  }
}

export interface OurCodec {
  sink: CountingSink;
  decoder: MqttDecoder;
}

export function createDecoder(): OurCodec {
  const sink = new CountingSink();
  return { sink, decoder: new MqttDecoder(sink, { maximumPacketSize: 64 * 1024 }) };
}

/** Decodes the whole stream once; returns the packets delivered so far (cumulative). */
export function decodeAll(codec: OurCodec, slices: readonly Uint8Array[]): number {
  for (let i = 0; i < slices.length; i++) codec.decoder.push(slices[i]);
  return codec.sink.packets;
}

export interface Timing {
  /** Packets per second. */
  encode: number;
  decode: number;
  /** Encode and decode of every packet: packets / (encode time + decode time). */
  both: number;
}

/**
 * Times `rounds` rounds of encode and of decode of the mix, `trials` times, keeping each one's best
 * trial (least disturbed by GC and the other processes on the machine).
 */
export function timeOurs(now: () => number, rounds: number, trials: number): Timing {
  const packets = buildMix();
  const slices = streamSlices(packets);
  const codec = createDecoder();
  let bestEncode = Infinity;
  let bestDecode = Infinity;
  let check = 0;
  for (let trial = 0; trial < trials; trial++) {
    let start = now();
    for (let round = 0; round < rounds; round++) check += encodeAll(packets);
    bestEncode = Math.min(bestEncode, now() - start);
    start = now();
    for (let round = 0; round < rounds; round++) check += decodeAll(codec, slices);
    bestDecode = Math.min(bestDecode, now() - start);
  }
  if (check <= 0) throw new Error("no work done");
  const count = packets.length * rounds;
  return { encode: (count * 1000) / bestEncode, decode: (count * 1000) / bestDecode, both: (count * 1000) / (bestEncode + bestDecode) };
}
