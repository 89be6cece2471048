// The host's JsonKernels on Moddable: the C tokenizer loop, string scanner and name matcher of hosts/moddable/native (listed in the
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
  scannerCreate: native("xs_json_scanner_create"),
  scannerRead: native("xs_json_scanner_read"),
  scannerEnd: native("xs_json_scanner_end"),
  scannerText: native("xs_json_scanner_text"),
  scannerNumber: native("xs_json_scanner_number"),
  scannerGet: native("xs_json_scanner_get"),
  scannerSet: native("xs_json_scanner_set"),
}) as unknown as JsonNatives;

/** Pass as `Host.jsonKernels` on Moddable builds. */
export const moddableJsonKernels: JsonKernels = nativeJsonKernels(natives);
