// The host's JsonKernels on Moddable: the C string scanner and name matcher of hosts/moddable/native (listed in the
// manifest, so the simulator and ESP32 apps compile and link it), bound with native(...); the logic is
// in native-json.ts.

import type { JsonKernels } from "../../src/ports.js";
import { nativeJsonKernels, type JsonNatives } from "./native-json.js";

const natives = Object.freeze({
  stringCreate: native("xs_json_string_create"),
  stringBegin: native("xs_json_string_begin"),
  stringScan: native("xs_json_string_scan"),
  stringStatus: native("xs_json_string_status"),
  stringFault: native("xs_json_string_fault"),
  findName: native("xs_json_find_name"),
}) as unknown as JsonNatives;

/** Pass as `Host.jsonKernels` on Moddable builds. */
export const moddableJsonKernels: JsonKernels = nativeJsonKernels(natives);
