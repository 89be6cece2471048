// Heap workload of the MQTT codec benchmark, run by measureInXs (test/xs/heap.ts) in xsnap-heap.
// Marks (each one collects garbage first) after every packet encoded, while its bytes are still
// held, and after every segment pushed into the decoder: the largest live heap among them is the
// peak live heap of encoding and decoding the mix, fixtures included.
import { heapMark } from "../test/xs/heap-mark.js";
import { encodePacket } from "../src/mqtt/encode.js";
import { buildMix, createDecoder, streamSlices } from "./mqtt-codec-workload.js";

heapMark("empty");
const packets = buildMix();
const slices = streamSlices(packets);
heapMark("fixtures");
const codec = createDecoder();
heapMark("decoder ready");
const held = globalThis as { encoded?: Uint8Array };
for (let i = 0; i < packets.length; i++) {
  held.encoded = encodePacket(packets[i]);
  heapMark(`encoded ${i}`);
  held.encoded = undefined;
}
for (let i = 0; i < slices.length; i++) {
  codec.decoder.push(slices[i]);
  heapMark(`pushed ${i}`);
}
if (codec.sink.packets !== packets.length) throw new Error(`decoded ${codec.sink.packets} of ${packets.length} packets`);
heapMark("done");
