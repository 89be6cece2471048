// Proves the two ESP32 builds short of the ESP-IDF step, with the real Moddable SDK:
//   node scripts/esp32-build-check.mjs
// For -p esp32 (an ESP32 DevKit) and -p esp32/esp32s3 (the Adafruit MatrixPortal S3):
//   - mcconfig (without -m, so without ESP-IDF) writes the build's makefile and configuration;
//   - the makefile's own module and link targets run: tsc + xsc for every module, xsid for every
//     native file, then xsl with the preload list (IDF_PATH points at an empty folder, IDF_VERSION is
//     given, and sdkconfig.h, which only ESP-IDF can make, is marked as up to date with make -o);
//   - the app entry is hosts/esp32/main (boot machine, Wi-Fi, SNTP, reset button) with its SDK modules;
//   - the HUB75 driver is part of the build (its modules, preloaded; its C files; its host functions
//     in the linked mc.xs.h), and the linker says nothing about hosts/esp32;
//   - the board settings reach the build (pins, memory class, PSRAM in the merged sdkconfig);
//   - hub75_xs.c compiles against the SDK's XS headers with this build's generated mc.xs.h.
// Once: the core and the host stub port compile, and every XS function the binding calls is one the
// SDK's XS defines. xsl warnings for src/ and hosts/ modules are listed (only hosts/esp32 fails).
// Prints `ok - ...` / `not ok - ...`, then `esp32-build: N passed, M failed`; exit 1 on a failure.
// Without any SDK (scripts/moddable-sdk.sh exit 3) prints `esp32-build: skipped (no SDK)`, exit 0.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { checkReport, findFiles, mcconfig, root, run, symbols } from "./check-report.mjs";

const out = join(root, "build", "esp32-check");
const hub75Dir = join(root, "hosts", "esp32", "hub75");

const { check, note, finish, moddableSdk } = checkReport("esp32-build", { tail: 25 });
const moddable = moddableSdk({ say: "skipped (no SDK)", code: 0 });
const noIdf = join(out, "no-esp-idf"); // an empty folder: IDF_PATH must name something, ESP-IDF is never run
rmSync(out, { recursive: true, force: true });
mkdirSync(noIdf, { recursive: true });
const env = {
  ...process.env,
  MODDABLE: moddable,
  PATH: `${join(moddable, "build", "bin", "lin", "release")}:${join(root, "node_modules", ".bin")}:${process.env.PATH}`,
  IDF_PATH: noIdf,
};
const expectedIdf = JSON.parse(readFileSync(join(moddable, "build", "devices", "esp32", "manifest.json"), "utf8")).build.EXPECTED_ESP_IDF;

/** Every .ts module of src/ as the manifest names it (src/mqtt/client), declarations excluded. */
function srcModules(dir = join(root, "src")) {
  const names = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) names.push(...srcModules(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) names.push(relative(root, path).slice(0, -3));
  }
  return names;
}

/** The host functions hub75.ts binds: native("…") and Native("…"). */
const hostFunctions = [...readFileSync(join(hub75Dir, "hub75.ts"), "utf8").matchAll(/\bnative\("(\w+)"\)|\bNative\("(\w+)"\)/gi)]
  .map((match) => match[1] ?? match[2]);

/** The host functions usb-serial-jtag.ts binds (hosts/esp32/usb-serial). */
const usbSerialDir = join(root, "hosts", "esp32", "usb-serial");
const usbHostFunctions = [...readFileSync(join(usbSerialDir, "usb-serial-jtag.ts"), "utf8").matchAll(/\bnative\("(\w+)"\)|\bNative\("(\w+)"\)/gi)]
  .map((match) => match[1] ?? match[2]);

const C_WARNINGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wshadow", "-Wstrict-prototypes"];
const gioFlags = run("pkg-config", ["--cflags", "gio-2.0"]).stdout.trim().split(/\s+/).filter(Boolean);
/** The SDK's XS headers with the Linux platform header (the ESP32 one needs ESP-IDF), as mcconfig's lin builds use them. */
const xsHeaderFlags = [
  "-DINCLUDE_XSPLATFORM=1", '-DXSPLATFORM="lin_xs.h"', ...gioFlags,
  `-I${join(moddable, "xs", "includes")}`, `-I${join(moddable, "xs", "platforms")}`, `-I${join(moddable, "xs", "sources")}`,
];

const builds = [
  { platform: "esp32", board: "esp32-devkit", memoryClass: "small", psram: false, r1: 25, panel: "64x32", serial: "uart" },
  { platform: "esp32/esp32s3", board: "matrixportal-s3", memoryClass: "large", psram: true, r1: 42, panel: "64x64", serial: "usb-serial-jtag" },
];
const xslWarnings = [];
let bindingObject;

for (const build of builds) {
  const p = build.platform;
  const { dir, config, makefiles, makeArgs, variable } = mcconfig(out, p, env, expectedIdf);
  check(config.code === 0 && makefiles.length === 1, `${p}: mcconfig writes the build's makefile without ESP-IDF`, config.output);
  if (makefiles.length !== 1) continue;
  // The project's partition table (hosts/esp32/partitions.csv: 64 KB NVS, test/oracle/nvs-capacity.test.ts).
  const partitions = findFiles(join(dir, "tmp"), (name) => name === "partitions.csv").map(readText).join("\n");
  check(
    /^nvs,\s*data,\s*nvs,\s*0x9000,\s*0x010000,/m.test(partitions),
    `${p}: the build uses the project's partition table (NVS 64 KB)`,
    partitions.slice(0, 400),
  );
  const tmpDir = variable("TMP_DIR");
  const modulesDir = variable("MODULES_DIR");
  const modules = variable("MODULES").split(/\s+/).filter((path) => path.endsWith(".xsb"));
  const moduleNames = modules.map((path) => relative(modulesDir, path).slice(0, -4));
  const preloads = variable("PRELOADS").split(/\s+/).filter((word) => word.endsWith(".xsb")).map((name) => name.slice(0, -4));
  const objects = variable("OBJECTS").split(/\s+/).map((path) => path.split("/").at(-1));

  const driver = ["hosts/esp32/hub75/hub75", "hosts/esp32/hub75/hub75-panel"];
  check(
    driver.every((name) => moduleNames.includes(name) && preloads.includes(name)) &&
      ["hub75_xs.c.o", "hub75_core.c.o", "hub75_esp32.c.o"].every((object) => objects.includes(object)),
    `${p}: the HUB75 driver is in the build (hub75, hub75-panel preloaded; hub75_xs.c, hub75_core.c, hub75_esp32.c compiled)`,
    `modules: ${moduleNames.filter((name) => name.startsWith("hosts/")).join(" ") || "none from hosts/"}\n` +
      `objects: ${objects.filter((object) => object.startsWith("hub75")).join(" ") || "no hub75 objects"}`,
  );
  // The app entry (hosts/esp32/manifest_app.json): main is the boot machine's app, with the SDK's Wi-Fi,
  // SNTP and digital-input modules it binds.
  const app = ["hosts/esp32/main", "hosts/esp32/wifi", "hosts/esp32/sntp", "hosts/esp32/button", "wifi", "sntp", "~.embedded/io/digital"];
  const creationMain = /,([^,\s]+),\d+\s*$/.exec(variable("CREATION"))?.[1];
  check(
    app.every((name) => moduleNames.includes(name)) && creationMain === "hosts/esp32/main",
    `${p}: the app entry is hosts/esp32/main, with the SDK's wifi, sntp and digital modules`,
    `creation main: ${creationMain}; missing: ${app.filter((name) => !moduleNames.includes(name)).join(" ") || "none"}`,
  );
  // main is not preloaded, so xsl does not resolve its imports: an SDK module missing from the build
  // (or built under another name) would only fail on the board. Every value import of hosts/esp32's
  // modules by bare name must name a module of this build.
  const sdkImports = new Set();
  for (const file of readdirSync(join(root, "hosts", "esp32")).filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))) {
    const text = readFileSync(join(root, "hosts", "esp32", file), "utf8");
    for (const match of text.matchAll(/^import (?!type )[^"]*"([^".][^"]*)";$/gm)) sdkImports.add(match[1]);
  }
  const buildName = (name) => (name.startsWith("embedded:") ? `~.embedded/${name.slice("embedded:".length)}` : name);
  const unresolved = [...sdkImports].filter((name) => name !== "mc/config" && !moduleNames.includes(buildName(name)));
  check(
    sdkImports.size > 0 && unresolved.length === 0,
    `${p}: every SDK module hosts/esp32 imports is in the build (${[...sdkImports].sort().join(", ")})`,
    `not in the build: ${unresolved.join(" ")}`,
  );
  const missing = srcModules().filter((name) => !moduleNames.includes(name));
  check(missing.length === 0, `${p}: every module of src/ is in the build (${moduleNames.filter((n) => n.startsWith("src/")).length})`, `missing: ${missing.join(" ")}`);

  // ESP-IDF v6.0 keeps headers our C includes in component folders the SDK's makefile does not list;
  // the usb-serial and hub75 manifests add them (scripts/esp-idf-header-check.mjs compiles against them).
  const includeDirs = variable("C_INCLUDES").split(/\s+/);
  const neededDirs = [
    "esp_driver_usb_serial_jtag/include",
    "esp_driver_dma/include",
    "esp_hal_dma/include",
    `esp_hal_dma/${p === "esp32" ? "esp32" : "esp32s3"}/include`,
  ].map((dir) => `-I${join(noIdf, "components", dir)}`);
  check(
    neededDirs.every((dir) => includeDirs.includes(dir)),
    `${p}: the compile's include dirs have the ESP-IDF v6.0 component folders hosts/esp32's C needs (USB Serial/JTAG driver, GDMA)`,
    `missing: ${neededDirs.filter((dir) => !includeDirs.includes(dir)).join(" ")}`,
  );
  const sdkconfigH = variable("SDKCONFIG_H");
  const started = Date.now();
  const link = run("make", [...makeArgs, "-o", sdkconfigH, join(tmpDir, "mc.xs.c")], { env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const compiled = modules.filter((path) => existsSync(path)).length;
  check(
    link.code === 0 && compiled === modules.length && existsSync(join(tmpDir, "mc.xs.c")),
    `${p}: ${compiled}/${modules.length} modules compile (tsc, xsc) and link with xsl, ${preloads.length} preloaded (${seconds} s)`,
    link.output,
  );
  const warnings = [...link.output.matchAll(/^### warning: ((?:src|hosts)\/[^:]+): (.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
  xslWarnings.push(...warnings.map((warning) => `${p}: ${warning}`));
  const driverWarnings = warnings.filter((warning) => warning.startsWith("hosts/esp32/"));
  check(driverWarnings.length === 0 && link.code === 0, `${p}: xsl prints no warning for hosts/esp32 modules`, driverWarnings.join("\n"));
  // xsc names the tsc output: <tmp>/tsc/<module>/<absolute path of the source, .js>:<line>: warning: …
  const xscWarnings = link.output.split("\n").flatMap((line) => {
    const at = line.indexOf(`${root}/`, line.indexOf("/tsc/"));
    const match = at >= 0 && line.includes(": warning: ") ? /^(.*?\.js):(\d+): warning: (.*)$/.exec(line.slice(at + root.length + 1)) : null;
    return match && /^(src|hosts)\//.test(match[1]) ? [`${match[1]}:${match[2]} ${match[3]}`] : [];
  });
  if (xscWarnings.length > 0) note(`${p}: xsc warnings (tsc output lines): ${xscWarnings.join("; ")}`);

  const mcConfig = readText(join(tmpDir, "mc.config.js"));
  const sdkconfig = findFiles(tmpDir, (name) => name === "sdkconfig.mc").map(readText).join("\n");
  const board = /"board": "([^"]*)"/.exec(mcConfig)?.[1];
  const memoryClass = /"memoryClass": "([^"]*)"/.exec(mcConfig)?.[1];
  const r1 = Number(/"r1": (\d+)/.exec(mcConfig)?.[1]);
  const psram = /^CONFIG_SPIRAM=y$/m.test(sdkconfig);
  // The panel main.ts derives (panelWidth × chain by panelHeight): one the board's memory class drives.
  const panel = `${Number(/"panelWidth": (\d+)/.exec(mcConfig)?.[1]) * Number(/"chain": (\d+)/.exec(mcConfig)?.[1] ?? 1)}x${/"panelHeight": (\d+)/.exec(mcConfig)?.[1]}`;
  check(
    board === build.board && memoryClass === build.memoryClass && r1 === build.r1 && psram === build.psram && panel === build.panel,
    `${p}: board ${build.board}: memory class ${build.memoryClass}, PSRAM ${build.psram ? "on" : "off"}, HUB75 R1 on GPIO ${build.r1}, a ${build.panel} panel`,
    `mc/config: board ${board}, memoryClass ${memoryClass}, pins.r1 ${r1}, panel ${panel}; sdkconfig CONFIG_SPIRAM=y: ${psram}`,
  );
  if (p !== "esp32") {
    // The S3's HUB75 refresh runs from a cache-safe GDMA interrupt that calls gdma_start(): both must be
    // in IRAM, or flash writes stall the panel (hosts/esp32/boards/matrixportal-s3/sdkconfig.defaults).
    const iramOptions = ["CONFIG_GDMA_ISR_HANDLER_IN_IRAM", "CONFIG_GDMA_CTRL_FUNC_IN_IRAM"];
    const off = iramOptions.filter((name) => !new RegExp(`^${name}=y$`, "m").test(sdkconfig));
    check(off.length === 0, `${p}: the merged sdkconfig puts the GDMA interrupt handler and gdma_start() in IRAM (HUB75 refresh during flash writes)`, `not set: ${off.join(" ")}`);
  }

  // The binding as the device build compiles it (mc.xs.h, not the stand-in ids of make test-native).
  const object = join(dir, "hub75_xs.o");
  const cc = run("cc", [...C_WARNINGS, ...xsHeaderFlags, `-I${tmpDir}`, `-I${hub75Dir}`, "-c", join(hub75Dir, "hub75_xs.c"), "-o", object]);
  check(cc.code === 0, `${p}: hub75_xs.c compiles against the SDK's xsmc.h with this build's mc.xs.h (-Wall -Wextra -Werror)`, cc.output);
  if (cc.code === 0) bindingObject = object;

  // xsl declares in mc.xs.h every host function the linked modules call; hub75_xs.c must define each
  // one hub75.ts names, or the device's final link fails.
  const header = readText(join(tmpDir, "mc.xs.h"));
  const definedByBinding = cc.code === 0 ? symbols(["--defined-only"], [object]) : new Set();
  const unbound = hostFunctions.filter((name) => !header.includes(` ${name}(`) || !definedByBinding.has(name));
  check(
    hostFunctions.length > 0 && unbound.length === 0,
    `${p}: the ${hostFunctions.length} host functions hub75.ts names are in the linked mc.xs.h and defined by hub75_xs.c`,
    `missing from mc.xs.h or hub75_xs.o: ${unbound.join(" ")}`,
  );

  // Serial provisioning over the chip's own USB (hosts/esp32/usb-serial): in every ESP32 build, so one
  // main.ts serves every board; compiled as for a chip with the controller (S3) or without (ESP32), with
  // stand-ins of the ESP-IDF headers it includes (test/native/esp-idf-stub, ESP-IDF v6.0 declarations;
  // scripts/esp-idf-header-check.mjs compiles it against the real ones).
  const usbModules = ["hosts/esp32/usb-serial/usb-serial", "hosts/esp32/usb-serial/usb-serial-jtag"];
  const usbObject = join(dir, "usb_serial_xs.o");
  const withoutController = p === "esp32" ? ["-DSTUB_CHIP_WITHOUT_USB_SERIAL_JTAG"] : [];
  const usbCc = run("cc", [...C_WARNINGS, ...xsHeaderFlags, ...withoutController, `-I${tmpDir}`, `-I${join(root, "test", "native", "esp-idf-stub")}`, "-c", join(usbSerialDir, "usb_serial_xs.c"), "-o", usbObject]);
  const usbDefined = usbCc.code === 0 ? symbols(["--defined-only"], [usbObject]) : new Set();
  const usbUnbound = usbHostFunctions.filter((name) => !header.includes(` ${name}(`) || !usbDefined.has(name));
  check(
    usbModules.every((name) => moduleNames.includes(name) && preloads.includes(name)) && objects.includes("usb_serial_xs.c.o") && usbCc.code === 0 && usbHostFunctions.length > 0 && usbUnbound.length === 0,
    `${p}: the USB serial binding is in the build (preloaded; usb_serial_xs.c compiles against the SDK's xsmc.h and this build's mc.xs.h${withoutController.length ? " for a chip without the controller" : ""}; its ${usbHostFunctions.length} host functions bound)`,
    `${usbCc.output}\nnot bound: ${usbUnbound.join(" ") || "none"}; objects: ${objects.filter((o) => o.startsWith("usb")).join(" ") || "none"}`,
  );
  const provisioningLine = /"provisioningSerial": ("usb-serial-jtag"|\{)/.exec(mcConfig)?.[1];
  check(
    provisioningLine === (build.serial === "uart" ? "{" : '"usb-serial-jtag"'),
    `${p}: board ${build.board} provisions over ${build.serial === "uart" ? "a UART (SDK serial options)" : "the chip's USB Serial/JTAG controller"}`,
    `mc/config provisioningSerial: ${provisioningLine ?? "absent"}`,
  );
}

// The board's own settings (make esp32 API_CA=… WIFI=…) reach the app's mc/config through the generated
// board manifest; a CA file that is not a PEM is refused before anything builds.
{
  const { boardManifest } = await import(pathToFileURL(join(root, "scripts", "esp32-board-manifest.mjs")).href);
  const caFile = join(out, "api-ca.pem");
  // Only its PEM shape matters here: the board parses it when it connects.
  writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\nMIIBbase64body\n-----END CERTIFICATE-----\n");
  const dir = join(out, "board-settings");
  mkdirSync(join(dir, "makapix-board"), { recursive: true });
  mkdirSync(join(dir, "out"), { recursive: true });
  const manifestPath = join(dir, "makapix-board", "manifest.json");
  writeFileSync(manifestPath, JSON.stringify(boardManifest({ MAKAPIX_API_CA: caFile, MAKAPIX_WIFI: "Home net:pa:ss" }), null, 2));
  const made = run("mcconfig", ["-p", "esp32/esp32s3", "-o", join(dir, "out"), manifestPath], { env });
  const configs = findFiles(join(dir, "out", "tmp"), (name) => name === "mc.config.js");
  const text = configs.length === 1 ? readText(configs[0]) : "";
  check(
    made.code === 0 && text.includes("BEGIN CERTIFICATE") && text.includes("apiCa") && text.includes('"Home net"') && text.includes('"pa:ss"'),
    "make esp32 API_CA=… WIFI=…: the API's CA and the build Wi-Fi reach the app's mc/config",
    made.output.slice(-2000) + text.slice(0, 400),
  );
  let refused = "";
  try {
    boardManifest({ MAKAPIX_API_CA: join(root, "README.md") });
  } catch (error) {
    refused = error.message;
  }
  check(refused.includes("holds no PEM certificate"), "a CA file that is not a PEM is refused with the reason", refused);
}

// The rest of the native module, and what the binding needs from outside it.
const core = join(out, "hub75_core.o");
const stub = join(out, "hub75_port_stub.o");
const coreCc = run("cc", [...C_WARNINGS, `-I${hub75Dir}`, "-c", join(hub75Dir, "hub75_core.c"), "-o", core]);
const stubCc = run("cc", [...C_WARNINGS, `-I${hub75Dir}`, "-c", join(root, "test", "native", "hub75_port_stub.c"), "-o", stub]);
check(coreCc.code === 0 && stubCc.code === 0, "hub75_core.c and the host stub port (test/native/hub75_port_stub.c) compile (-Werror)", coreCc.output + stubCc.output);
if (bindingObject && coreCc.code === 0 && stubCc.code === 0) {
  const ours = [bindingObject, core, stub];
  const defined = symbols(["--defined-only"], ours);
  const needed = [...symbols(["--undefined-only"], ours)].filter((name) => !defined.has(name));
  const xsNeeded = needed.filter((name) => /^(fx|_xs)/.test(name));
  const ownMissing = needed.filter((name) => name.startsWith("hub75"));
  const xsLib = join(moddable, "build", "tmp", "lin", "release", "lib");
  const xsObjects = existsSync(xsLib) ? readdirSync(xsLib).filter((name) => name.endsWith(".o")).map((name) => join(xsLib, name)) : [];
  const xsDefined = xsObjects.length > 0 ? symbols(["--defined-only"], xsObjects) : new Set();
  const xsMissing = xsNeeded.filter((name) => !xsDefined.has(name));
  check(
    ownMissing.length === 0 && xsObjects.length > 0 && xsMissing.length === 0,
    `the binding, core and port leave only XS functions (${xsNeeded.length}, all defined by the SDK's XS objects) and libc to the linker`,
    `hub75 symbols undefined: ${ownMissing.join(" ") || "none"}; XS symbols the SDK lacks: ${xsMissing.join(" ") || "none"}` +
      (xsObjects.length === 0 ? `; no XS objects in ${xsLib}` : ""),
  );
  note(`from libc/libm: ${needed.filter((name) => !/^(fx|_xs)/.test(name)).join(" ")}`);
}

if (xslWarnings.length > 0) {
  note(`xsl warnings for src/ and hosts/ modules (${xslWarnings.length}; only hosts/esp32 ones fail here):`);
  for (const warning of xslWarnings) note(`  ${warning}`);
} else note("xsl warnings for src/ and hosts/ modules: none");

finish();

function readText(path) {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}
