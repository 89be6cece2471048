// Compiles the ESP32 native C files of hosts/esp32 against a REAL ESP-IDF checkout's headers, with the
// include directories, defines and C standard of the Moddable SDK's own ESP32 makefile:
//   IDF_PATH=/path/to/esp-idf node scripts/esp-idf-header-check.mjs
// What it does, for -p esp32 (ESP32 DevKit) and -p esp32/esp32s3 (MatrixPortal S3):
//   - mcconfig writes the build's makefile with IDF_PATH set; the makefile's own C_DEFINES, C_INCLUDES
//     (the SDK's list of ESP-IDF include directories plus what our manifests add) and C_FLAGS are read
//     back with make, so a header our code needs but the SDK's makefile cannot reach fails here;
//   - the XS bindings include the build-machine stand-in for mc.xs.h (test/native/xs_host): the real
//     one is what scripts/esp32-build-check.mjs compiles them with;
//   - sdkconfig.h, which only ESP-IDF's CMake run makes, is written from the SDK's sdkconfig.defaults,
//     the build's merged sdkconfig.mc (board settings) and the few Kconfig defaults the headers need
//     (IDF_DEFAULTS below: anything not set is "n", as in a real sdkconfig.h);
//   - every hosts/esp32 .c file of the build is compiled with the HOST gcc (-m32, so pointers are 4
//     bytes as on the chip, -fsyntax-only) against those headers. Stricter than the device build: an
//     implicit function declaration (a missing header: a link failure or a wrong call on the board),
//     an incompatible pointer and an int/pointer conversion are errors (the SDK passes
//     -Wno-implicit-function-declaration; ESP-IDF v6's GCC 14 rejects the other two by default);
//   - the undefined symbols of those files (compiled once more to host objects) must each have a
//     definition for the chip in ESP-IDF's .c/.S sources or ROM linker scripts (a text search);
//   - every CONFIG_ name of the boards' sdkconfig.defaults and of hosts/esp32's C must be an option of
//     this ESP-IDF's Kconfig (ESP-IDF drops an unknown or renamed one without an error).
// Shims (none replaces an ESP-IDF header, so none can hide an ESP-IDF API mismatch):
//   - libc: Debian's newlib 3.3 headers (apt-get install libnewlib-dev) stand in for the toolchain's
//     newlib (ESP-IDF's platform_include wraps them as on the device); one newlib 3.3 declaration,
//     `_global_impure_ptr` (const there, not in Espressif's newlib, a libc internal), is renamed;
//   - compiler: the host gcc with -D__XTENSA__ -D__xtensa__ (the Xtensa gcc's own macros); inline
//     assembly is never assembled for Xtensa, so Xtensa instructions are not checked;
//   - sdkconfig.h: written here (above), not by ESP-IDF's Kconfig run. An option that neither the SDK's
//     defaults, the board nor IDF_DEFAULTS sets is off here even where its Kconfig default is y, so a
//     header branch behind such an option may not be the one the device compiles (a numeric option the
//     headers need and nobody sets fails the compile, as CONFIG_FREERTOS_MAX_TASK_NAME_LEN did).
// Not checked here: the Xtensa compiler itself, the real link (which components, section placement,
// IRAM), ESP-IDF's CMake run (the real sdkconfig.h), and running on a board.
// Needs an ESP-IDF checkout (the version the SDK expects, build/devices/esp32/manifest.json
// EXPECTED_ESP_IDF; ESP_IDF_ANY_VERSION=1 runs another and says so). CI has no ESP-IDF: without
// IDF_PATH this prints `esp-idf-header-check: NOT RUN (...)` and exits 2, never a pass. Exit 3: no SDK.
// Prints `ok - ...` / `not ok - ...`, then `esp-idf-header-check: N passed, M failed`; exit 1 on a failure.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { checkReport, findFiles, mcconfig, root, run, symbols } from "./check-report.mjs";

const out = join(root, "build", "esp-idf-header-check");

const idfPath = process.env.IDF_PATH;
if (!idfPath || !existsSync(join(idfPath, "components", "esp_common", "include", "esp_err.h"))) {
  console.log(
    `esp-idf-header-check: NOT RUN (${idfPath ? `IDF_PATH=${idfPath} is not an ESP-IDF checkout` : "IDF_PATH is not set"}): ` +
      "this check needs ESP-IDF's headers, which CI and the build machine do not have; nothing was checked",
  );
  process.exit(2);
}

const { check, note, finish, moddableSdk } = checkReport("esp-idf-header-check", { tail: 40 });
const moddable = moddableSdk({ say: "NOT RUN (no Moddable SDK)", code: 3 });

// The ESP-IDF version: tools/cmake/version.cmake works for a git checkout and for an exported tree.
const versionText = existsSync(join(idfPath, "tools", "cmake", "version.cmake")) ? readFileSync(join(idfPath, "tools", "cmake", "version.cmake"), "utf8") : "";
const part = (name) => new RegExp(`set\\(IDF_VERSION_${name} (\\d+)\\)`).exec(versionText)?.[1];
const idfVersion = `v${part("MAJOR")}.${part("MINOR")}.${part("PATCH")}`;
const expectedIdf = JSON.parse(readFileSync(join(moddable, "build", "devices", "esp32", "manifest.json"), "utf8")).build.EXPECTED_ESP_IDF;
const versionMatches = `${idfVersion}.`.startsWith(`${expectedIdf}.`);
if (process.env.ESP_IDF_ANY_VERSION === "1" && !versionMatches) note(`ESP-IDF ${idfVersion} at ${idfPath}, not the SDK's ${expectedIdf} (ESP_IDF_ANY_VERSION=1): results are for ${idfVersion}`);
else check(versionMatches, `ESP-IDF at IDF_PATH is ${idfVersion}, the version the SDK expects (${expectedIdf})`, `IDF_PATH=${idfPath}`);

// Host tools: 32-bit gcc and newlib's headers.
const gccInclude = run("gcc", ["-m32", "-print-file-name=include"]).stdout.trim();
const newlib = "/usr/include/newlib";
// The C library's own names (the host's glibc exports stand in for newlib's), left out of the symbol check.
const libcSo = run("gcc", ["-m32", "-print-file-name=libc.so.6"]).stdout.trim();
const libmSo = run("gcc", ["-m32", "-print-file-name=libm.so.6"]).stdout.trim();
const libc = new Set([...symbols(["-D", "--defined-only"], [libcSo]), ...symbols(["-D", "--defined-only"], [libmSo])].map((name) => name.split("@")[0]));
const tools = existsSync(join(newlib, "newlib.h")) && existsSync(join(gccInclude, "stddef.h"));
check(tools, "host gcc -m32 and newlib headers (apt-get install gcc-multilib libnewlib-dev)", `gcc include: ${gccInclude}`);
if (!tools) finish({ exit: true });

// Kconfig names: a board's sdkconfig.defaults line with a name this ESP-IDF does not define (or has
// renamed) is dropped without an error by ESP-IDF's build, and an unknown CONFIG_ in our C is always 0.
{
  const known = new Set();
  const renamed = new Map();
  const kconfigs = [join(idfPath, "Kconfig"), ...findFiles(join(idfPath, "components"), (name) => /^Kconfig/.test(name))];
  for (const file of kconfigs) {
    for (const match of readFileSync(file, "utf8").matchAll(/^\s*(?:menu)?config\s+(\w+)/gm)) known.add(`CONFIG_${match[1]}`);
  }
  for (const file of findFiles(join(idfPath, "components"), (name) => name.startsWith("sdkconfig.rename"))) {
    for (const match of readFileSync(file, "utf8").matchAll(/^(CONFIG_\w+)\s+!?(CONFIG_\w+)/gm)) renamed.set(match[1], match[2]);
  }
  const boardFiles = findFiles(join(root, "hosts", "esp32", "boards"), (name) => name === "sdkconfig.defaults");
  const used = new Map();
  for (const file of boardFiles) {
    for (const match of readFileSync(file, "utf8").matchAll(/^(?:# )?(CONFIG_\w+)(?:=| is not set)/gm)) used.set(match[1], relative(root, file));
  }
  for (const file of findFiles(join(root, "hosts", "esp32"), (name) => /\.[ch]$/.test(name))) {
    for (const match of readFileSync(file, "utf8").matchAll(/\bCONFIG_[A-Z0-9_]+\b/g)) used.set(match[0], relative(root, file));
  }
  const unknown = [...used].filter(([name]) => !known.has(name));
  check(
    known.size > 1000 && used.size > 0 && unknown.length === 0,
    `the ${used.size} Kconfig options the boards' sdkconfig.defaults and hosts/esp32's C name exist in ESP-IDF ${idfVersion} (${known.size} defined)`,
    unknown.map(([name, file]) => `${file}: ${name}${renamed.has(name) ? ` (renamed: ${renamed.get(name)})` : " (not defined)"}`).join("\n"),
  );
}

rmSync(out, { recursive: true, force: true });
const shim = join(out, "shim");
mkdirSync(join(shim, "sys"), { recursive: true });
writeFileSync(
  join(shim, "sys", "reent.h"),
  "/* newlib 3.3 declares _global_impure_ptr const; Espressif's newlib and ESP-IDF's wrapper do not. */\n" +
    "#define _global_impure_ptr _global_impure_ptr_newlib_3_3\n#include_next <sys/reent.h>\n#undef _global_impure_ptr\n",
);

const env = {
  ...process.env,
  MODDABLE: moddable,
  IDF_PATH: idfPath,
  PATH: `${join(moddable, "build", "bin", "lin", "release")}:${join(root, "node_modules", ".bin")}:${process.env.PATH}`,
};

// Kconfig defaults the headers read that neither the SDK's sdkconfig.defaults nor the boards set
// (ESP-IDF's Kconfig files give these values when nothing overrides them).
const IDF_DEFAULTS = {
  esp32: { CONFIG_FREERTOS_NUMBER_OF_CORES: "2" },
  esp32s3: { CONFIG_FREERTOS_NUMBER_OF_CORES: "2" },
  all: { CONFIG_FREERTOS_MAX_TASK_NAME_LEN: "16", CONFIG_FREERTOS_TASK_NOTIFICATION_ARRAY_ENTRIES: "1" },
};

const builds = [
  { platform: "esp32", target: "esp32" },
  { platform: "esp32/esp32s3", target: "esp32s3" },
];
const cFiles = findFiles(join(root, "hosts", "esp32"), (name) => name.endsWith(".c"));
// Functions our own headers declare (hub75_port_open, …): a file of ours that failed to compile leaves
// them undefined, which is its compile failure, not a missing ESP-IDF definition.
const ownDeclared = new Set(
  findFiles(join(root, "hosts", "esp32"), (name) => name.endsWith(".h")).flatMap((file) => [...readFileSync(file, "utf8").matchAll(/\b(\w+)\s*\(/g)].map((m) => m[1])),
);

for (const build of builds) {
  const p = build.platform;
  const { dir, config, makefiles, makeArgs, variable } = mcconfig(out, p, env, expectedIdf);
  check(config.code === 0 && makefiles.length === 1, `${p}: mcconfig writes the build's makefile with IDF_PATH set`, config.output);
  if (makefiles.length !== 1) continue;
  const tmpDir = variable("TMP_DIR");
  const sdkconfigH = variable("SDKCONFIG_H");
  const subclass = variable("ESP32_SUBCLASS");
  const words = (name) => variable(name).split(/\s+/).filter(Boolean);
  const defines = words("C_DEFINES");
  const includes = words("C_INCLUDES");
  const rawFlags = words("C_FLAGS");
  const objects = words("OBJECTS").map((path) => path.split("/").at(-1));
  const hostObjects = [];
  // Keep what shapes the language and the headers (defines, the C standard, volatile bit-fields); drop
  // what only the Xtensa compiler, the assembler or the linker take.
  const flags = [];
  for (let i = 0; i < rawFlags.length; i++) {
    const flag = rawFlags[i];
    if (flag === "-D" && rawFlags[i + 1]) flags.push(`-D${rawFlags[++i]}`);
    else if (/^-(D|U)./.test(flag) || flag.startsWith("-std=") || flag === "-fstrict-volatile-bitfields") flags.push(flag);
  }
  check(subclass === build.target && includes.length > 50 && flags.some((f) => f.startsWith("-std=")), `${p}: the makefile's C_INCLUDES (${includes.length}), C_DEFINES and C_FLAGS for ${subclass}`, `ESP32_SUBCLASS=${subclass}`);

  // sdkconfig.h: the SDK's defaults, then the build's merged sdkconfig.mc (board settings win), as
  // ESP-IDF's SDKCONFIG_DEFAULTS list applies them; "# CONFIG_X is not set" unsets.
  const settings = new Map([
    ["CONFIG_IDF_TARGET", `"${subclass}"`],
    [`CONFIG_IDF_TARGET_${subclass.toUpperCase()}`, "y"],
    ["CONFIG_IDF_TARGET_ARCH_XTENSA", "y"],
    ["CONFIG_IDF_TARGET_ARCH", '"xtensa"'],
    ...Object.entries({ ...IDF_DEFAULTS.all, ...IDF_DEFAULTS[subclass] }),
  ]);
  const sdkDefaults = join(moddable, "build", "devices", "esp32", `xsProj-${subclass}`);
  for (const file of [join(sdkDefaults, "sdkconfig.defaults"), join(sdkDefaults, "sdkconfig.defaults.release"), ...findFiles(tmpDir, (name) => name === "sdkconfig.mc")]) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const set = /^(CONFIG_\w+)=(.*)$/.exec(line.trim());
      const unset = /^# (CONFIG_\w+) is not set$/.exec(line.trim());
      if (set) settings.set(set[1], set[2]);
      else if (unset) settings.delete(unset[1]);
    }
  }
  mkdirSync(dirname(sdkconfigH), { recursive: true });
  writeFileSync(
    sdkconfigH,
    "/* Written by scripts/esp-idf-header-check.mjs for a host compile check; not ESP-IDF's own. */\n#pragma once\n" +
      [...settings].filter(([, value]) => value !== "n").map(([name, value]) => `#define ${name} ${value === "y" ? 1 : value}`).join("\n") + "\n",
  );


  for (const file of cFiles) {
    const name = file.split("/").at(-1);
    if (!objects.includes(`${name}.o`)) continue;
    const args = [
      "-m32", "-nostdinc", "-fsyntax-only", "-D__XTENSA__=1", "-D__xtensa__=1",
      ...defines, ...flags, ...includes,
      // The bindings' build-machine stand-ins for mc.xs.h (xsID_ values looked up by name): the real one
      // needs the full tsc/xsc/xsl run, which scripts/esp32-build-check.mjs does and compiles them with.
      "-DHUB75_XS_HOST_CHECK", "-DUSB_SERIAL_XS_HOST_CHECK", `-I${join(root, "test", "native", "xs_host")}`,
      "-isystem", shim, "-isystem", gccInclude, "-isystem", newlib,
      "-Wall", "-Wextra", "-Wno-unused-parameter",
      "-Werror=implicit-function-declaration", "-Werror=incompatible-pointer-types", "-Werror=int-conversion",
      file,
    ];
    const cc = run("gcc", args);
    const ours = cc.output.split("\n").filter((line) => line.startsWith(`${relative(root, file)}:`) || line.startsWith(`${file}:`));
    check(cc.code === 0, `${p}: ${relative(root, file)} compiles against ESP-IDF ${idfVersion}'s headers for ${subclass}`, cc.output.split("\n").filter((line) => /error|warning|note: |^In file/.test(line)).join("\n"));
    const warnings = ours.filter((line) => line.includes("warning:"));
    if (cc.code === 0 && warnings.length > 0) note(`${p}: ${relative(root, file)} warnings: ${warnings.join(" | ")}`);
    if (cc.code !== 0) continue;
    // A host object for the symbol check below (the same translation unit, compiled to code).
    const object = join(dir, `${name}.o`);
    const obj = run("gcc", [...args.filter((arg) => arg !== "-fsyntax-only" && arg !== file), "-O1", "-c", file, "-o", object]);
    if (obj.code === 0) hostObjects.push(object);
    else note(`${p}: ${relative(root, file)}: no host object (${obj.output.split("\n").find((line) => line.includes("error")) ?? "gcc failed"}), its calls are not in the symbol check`);
  }

  // Every function and object our C takes from ESP-IDF must be defined somewhere in ESP-IDF's sources
  // or ROM linker scripts for this chip: a header can declare what the chip's build never defines
  // (the link would fail). A text search, not a link: see undefinedInIdf().
  if (hostObjects.length > 0) {
    const defined = symbols(["--defined-only"], hostObjects);
    const wanted = [...symbols(["--undefined-only"], hostObjects)].filter(
      (name) => !defined.has(name) && !libc.has(name) && !ownDeclared.has(name) && !/^(fx|_xs|xs[A-Z]|_GLOBAL_OFFSET_TABLE_|__stack_chk|__x86)/.test(name),
    );
    const missing = undefinedInIdf(wanted, subclass);
    check(
      missing.length === 0,
      `${p}: the ${wanted.length} ESP-IDF functions and objects hosts/esp32's C uses are defined in ESP-IDF's sources or ROM for ${subclass}`,
      `not found: ${missing.join(" ")}`,
    );
  }
}
finish();

/** Names among `names` with no definition for `chip` in ESP-IDF: a C definition (a line of type words
 * then the name and "(", not ending in ";") in a .c file, a .global or label in a .S file, or an
 * assignment (PROVIDE) in a .ld file. Files under another chip's folder, host-test and test-app
 * folders do not count. */
function undefinedInIdf(names, chip) {
  if (names.length === 0) return [];
  const chips = /^(esp32|esp32s2|esp32s3|esp32c2|esp32c3|esp32c5|esp32c6|esp32c61|esp32h2|esp32h21|esp32h4|esp32p4|linux)$/;
  const pattern = `\\b(${names.join("|")})\\b`;
  const grep = run("grep", ["-rnE", "--include=*.c", "--include=*.S", "--include=*.ld", "--include=*.ld.in", pattern, join(idfPath, "components")]);
  const found = new Set();
  for (const line of grep.stdout.split("\n")) {
    const match = /^(.*?):\d+:(.*)$/.exec(line);
    if (!match) continue;
    const [, path, text] = match;
    const parts = relative(idfPath, path).split("/");
    if (parts.some((part) => chips.test(part) && part !== chip) || parts.some((part) => /^(test_apps|host_test|test)$/.test(part))) continue;
    for (const name of names) {
      if (!new RegExp(`\\b${name}\\b`).test(text)) continue;
      const ld = path.endsWith(".ld") || path.endsWith(".ld.in");
      if (ld ? new RegExp(`\\b${name}\\s*=`).test(text) : new RegExp(`^\\s*(?:[A-Za-z_]\\w*[\\s*]+)+${name}\\s*\\(`).test(text) && !/;\s*$/.test(text) && !/^\s*(return|else)\b/.test(text)) found.add(name);
      else if (!ld && path.endsWith(".S") && new RegExp(`^\\s*\\.global\\s+${name}\\b|^${name}:`).test(text)) found.add(name);
    }
  }
  return names.filter((name) => !found.has(name));
}
