// The Storage port's rules (src/ports.ts), in one place for every binding of it: the Moddable
// Preference binding, the Node file binding and the tests' in-memory storage must refuse exactly the
// same keys and values, so nothing passes on a PC that the ESP32 would refuse.

/** ESP32 NVS keys are at most 15 characters. */
export const STORAGE_KEY_MAX_CHARS = 15;
/** The largest value a binding takes by default: a PEM fits; NVS's default partition is 24 KB. */
export const STORAGE_VALUE_MAX_BYTES = 4096;

function isKeyCharacter(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 46 || code === 45;
}

/** Why `name` cannot be a key (or a namespace), or undefined when it can: 1–15 of A-Z a-z 0-9 _ . - */
export function storageNameProblem(name: string): string | undefined {
  if (typeof name !== "string" || name.length < 1 || name.length > STORAGE_KEY_MAX_CHARS) return `must be 1–${STORAGE_KEY_MAX_CHARS} characters`;
  for (let i = 0; i < name.length; i++) if (!isKeyCharacter(name.charCodeAt(i))) return "may hold only A-Z a-z 0-9 _ . -";
  return undefined;
}
