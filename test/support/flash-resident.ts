// A value as a preloaded Moddable app holds a module-level table: in flash. There, besides being
// read-only, an object cannot be handed to JSON.stringify: XS marks every object it stringifies (its
// cycle check) and throws "TypeError: read only value" on one in flash. Node and xsnap have no flash,
// so this helper makes the same mistake fail there: every object and array reachable from `value`
// is frozen and gets a hidden toJSON that throws. Code that copies what it serialises (spread, map,
// a fresh object) passes, as it does on the device; the copies carry no toJSON (not enumerable).

export function flashResident<T>(value: T): T {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) flashResident((value as Record<string, unknown>)[key]);
  Object.defineProperty(value, "toJSON", {
    value: () => {
      throw new TypeError("read only value (JSON.stringify of a flash-resident object: serialise a copy)");
    },
    enumerable: false,
  });
  return Object.freeze(value);
}
