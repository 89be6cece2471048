// Atomic settings writes, proven by cutting the power at every write or delete step of every kind of
// change: after the cut the store reloads (a new SettingsStore on what persisted) either the old or
// the new complete set, never a mix, never a problem; once every step ran it is the new set. Three
// ways a step can die: not done at all ("clean"), half a value with a flipped byte ("torn"), and the
// key erased but not rewritten ("erased": the ESP32 Preference binding erases before it sets).

import { test } from "node:test";
import assert from "node:assert/strict";
import { SettingsStore, type Settings } from "../../../src/device/settings.js";
import { MemoryStorage, PowerCut, PowerCutStorage, type CutMode } from "../../support/memory-storage.js";
import { credentials, fullSettings } from "../../support/settings-fixture.js";

interface Scenario {
  name: string;
  /** Brings the store to the "old" state (uncut). */
  before: (store: SettingsStore) => void;
  /** The change under test. */
  change: (store: SettingsStore) => void;
}

const SCENARIOS: Scenario[] = [
  { name: "first settings on a new device", before: () => {}, change: (s) => void s.update(fullSettings("new")) },
  { name: "every section replaced", before: (s) => void s.update(fullSettings("old")), change: (s) => void s.update(fullSettings("new")) },
  { name: "Wi-Fi only", before: (s) => void s.update(fullSettings("old")), change: (s) => void s.update({ wifi: { ssid: "new-net", password: "" } }) },
  { name: "credentials and token (registration)", before: (s) => void s.update(fullSettings("old")), change: (s) => void s.update({ credentials: credentials("new"), apiToken: "t-new" }) },
  { name: "sections removed", before: (s) => void s.update(fullSettings("old")), change: (s) => void s.update({ wifi: null, credentials: null }) },
  { name: "renewed set staged", before: (s) => void s.update(fullSettings("old")), change: (s) => void s.stagePendingCredentials(credentials("renewed")) },
  {
    name: "renewed set committed",
    before: (s) => {
      s.update(fullSettings("old"));
      s.stagePendingCredentials(credentials("renewed"));
    },
    change: (s) => void s.commitPendingCredentials(),
  },
  {
    name: "renewed set discarded",
    before: (s) => {
      s.update(fullSettings("old"));
      s.stagePendingCredentials(credentials("renewed"));
    },
    change: (s) => void s.discardPendingCredentials(),
  },
  {
    // What the panel wizard stores when the person confirms the last step.
    name: "panel drive found by the wizard",
    before: (s) => {
      s.update(fullSettings("old"));
      s.update({ panelDrive: { driver: "shiftreg" } });
    },
    change: (s) => void s.update({ panelDrive: { driver: "fm6126a", scan: 8, clockPhase: true, clockHz: 10_000_000 } }),
  },
  {
    name: "factory reset",
    before: (s) => {
      s.update(fullSettings("older"));
      s.update(fullSettings("old")); // both pointer slots in use
    },
    change: (s) => s.erase(),
  },
  {
    // Commits that leave both pointer slots and leftover chunks in play before the change.
    name: "after several commits",
    before: (s) => {
      s.update(fullSettings("old"));
      s.update({ wifi: { ssid: "mid", password: "" } });
      s.update({ panel: { size: "64x32", board: "esp32-devkit" } });
    },
    change: (s) => void s.update({ credentials: credentials("new"), panel: { size: "128x64", board: "matrixportal-s3" } }),
  },
];

function prepared(scenario: Scenario): { flash: MemoryStorage; old: Settings } {
  const flash = new MemoryStorage();
  const store = new SettingsStore(flash);
  scenario.before(store);
  return { flash, old: new SettingsStore(flash).load().settings };
}

function run(scenario: Scenario, flash: MemoryStorage, cutAfter: number, mode: CutMode): PowerCutStorage {
  const storage = new PowerCutStorage(flash, cutAfter, mode);
  const store = new SettingsStore(storage);
  try {
    store.load();
    scenario.change(store);
  } catch (error) {
    if (!(error instanceof PowerCut) && !(error instanceof Error && error.message.includes("power"))) throw error;
  }
  return storage;
}

for (const scenario of SCENARIOS) {
  test(`power cut at every step: ${scenario.name}`, () => {
    const { flash: reference, old } = prepared(scenario);
    const total = run(scenario, reference, Number.POSITIVE_INFINITY, "clean").steps;
    const expected = new SettingsStore(reference).load().settings;
    assert.ok(total >= 1, "the change writes something");
    assert.notDeepEqual(expected, old, "the change changes something");
    let sawOld = 0;
    let sawNew = 0;
    for (const mode of ["clean", "torn", "erased"] as const) {
      for (let k = 0; k <= total; k++) {
        const { flash } = prepared(scenario);
        const storage = run(scenario, flash, k, mode);
        assert.equal(storage.cut, k < total, `k=${k} ${mode}: the cut ${k < total ? "happened" : "came after the last step"}`);
        const { settings, problems } = new SettingsStore(flash).load();
        const isOld = isDeepEqual(settings, old);
        // A torn first-ever record cannot be told from a damaged store: it is reported, and loads as the empty old set.
        const tornFirst = isOld && Object.keys(old).length === 0 && problems.length === 1 && problems[0]!.section === "store";
        assert.ok(problems.length === 0 || tornFirst, `k=${k} ${mode}: damage reported: ${problems.map((p) => p.detail).join("; ")}`);
        const isNew = isDeepEqual(settings, expected);
        assert.ok(isOld || isNew, `k=${k}/${total} ${mode}: neither the old nor the new set`);
        if (k >= total) assert.ok(isNew, `k=${k}: all steps done, the new set`);
        if (isNew) sawNew++;
        else sawOld++;
        // The device carries on: the next change works and leaves no stray keys behind.
        const after = new SettingsStore(flash);
        after.load();
        after.update({ apiToken: "t-after" });
        const reloaded = new SettingsStore(flash);
        assert.equal(reloaded.load().settings.apiToken, "t-after");
        assert.equal(chunkCount(reloaded), chunkCount(freshCopy(reloaded.settings)), `k=${k} ${mode}: stray chunks left`);
      }
    }
    assert.ok(sawOld > 0 && sawNew > 0, `both outcomes occur (${sawOld} old, ${sawNew} new)`);
  });
}

/** The same settings written once to a new storage. */
function freshCopy(settings: Settings): SettingsStore {
  const store = new SettingsStore(new MemoryStorage());
  const { pendingCredentials, ...rest } = settings;
  store.update(rest);
  if (pendingCredentials) store.stagePendingCredentials(pendingCredentials);
  return store;
}

/** Chunk keys a store holds (everything but the two pointer records). */
function chunkCount(store: SettingsStore): number {
  return store.ownKeys().filter((key) => key !== "st.A" && key !== "st.B").length;
}

/**
 * Both sides come from SettingsStore.load, which builds every section in a fixed key order, so equal
 * settings serialise equally. (Cheaper than catching a failed deepEqual, whose message diffs the PEMs.)
 */
function isDeepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
