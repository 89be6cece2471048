// The host's InflateFactory on Moddable: the SDK's native zlib inflate (module "inflate", from
// $(MODDABLE)/modules/data/zlib/manifest_inflate.json). The logic is in native-inflate.ts.

import Inflate from "inflate";
import type { InflateFactory } from "../../src/ports.js";
import { NativeInflateFactory } from "./native-inflate.js";

/** Pass as `Host.inflate` (or `PngDecoderOptions.inflate`) on Moddable builds. */
export const moddableInflate: InflateFactory = Object.freeze(new NativeInflateFactory(Inflate));
