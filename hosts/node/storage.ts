// The Storage port on a PC (the virtual device, `--data DIR`): one file per key in `DIR/<namespace>/`.
// A write goes to a temporary file, is flushed (fsync), then renamed over the key's file, so a crash
// leaves the old value or the new one, never a torn file (rename is atomic on POSIX file systems).
// Keys and value sizes are checked exactly as the Moddable binding (hosts/moddable/storage.ts) checks
// them, so nothing works on a PC that the ESP32 would refuse.

import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Storage } from "../../src/ports.js";
import { utf8Decode, utf8Encode } from "../../src/util/utf8.js";

export const MAX_KEY_LENGTH = 15;
export const DEFAULT_MAX_VALUE_BYTES = 4096;
/** Temporary files end with this; "~" is not allowed in a key, so no key's file can collide. */
const TEMPORARY_SUFFIX = "~new";

export class FileStorageError extends Error {
  override readonly name = "StorageError";
}

function isName(name: string): boolean {
  if (name.length < 1 || name.length > MAX_KEY_LENGTH) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
    if (!ok) return false;
  }
  return true;
}

// "." and ".." are keys for the port but not file names: they get names no key can have ("%" is not
// a key character).
function fileName(key: string): string {
  return key === "." ? "%2E" : key === ".." ? "%2E%2E" : key;
}

function keyOf(file: string): string | undefined {
  if (file === "%2E") return ".";
  if (file === "%2E%2E") return "..";
  return isName(file) && file !== "." && file !== ".." ? file : undefined;
}

function checkName(what: string, name: string): void {
  if (!isName(name)) throw new FileStorageError(`${what} "${name}" must be 1–${MAX_KEY_LENGTH} characters of A-Z a-z 0-9 _ . -`);
}

export interface FileStorageOptions {
  /** Largest value in bytes (default 4096, as on the device). */
  maxValueBytes?: number;
}

export class FileStorage implements Storage {
  /** The folder holding this namespace's files. */
  readonly directory: string;
  readonly #maxValueBytes: number;

  /** Creates `dataDirectory/namespace` when missing. */
  constructor(dataDirectory: string, namespace: string, options: FileStorageOptions = {}) {
    checkName("namespace", namespace);
    this.directory = join(dataDirectory, namespace);
    this.#maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    mkdirSync(this.directory, { recursive: true });
    // A temporary file is a write that never completed: the key keeps its old value.
    for (const name of readdirSync(this.directory)) if (name.endsWith(TEMPORARY_SUFFIX)) rmSync(join(this.directory, name), { force: true });
  }

  read(key: string): Uint8Array | undefined {
    checkName("key", key);
    try {
      return new Uint8Array(readFileSync(join(this.directory, fileName(key))));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new FileStorageError(`"${key}" could not be read: ${(error as Error).message}`);
    }
  }

  readText(key: string): string | undefined {
    const bytes = this.read(key);
    return bytes === undefined ? undefined : utf8Decode(bytes, 0, bytes.length);
  }

  write(key: string, value: Uint8Array | string): void {
    checkName("key", key);
    const bytes = typeof value === "string" ? utf8Encode(value) : value;
    if (bytes.length > this.#maxValueBytes) throw new FileStorageError(`"${key}": ${bytes.length} bytes is more than ${this.#maxValueBytes}`);
    const path = join(this.directory, fileName(key));
    const temporary = path + TEMPORARY_SUFFIX;
    try {
      const fd = openSync(temporary, "w", 0o600);
      try {
        let written = 0;
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw new FileStorageError(`"${key}" could not be written: ${(error as Error).message}`);
    }
    this.#syncDirectory();
  }

  delete(key: string): void {
    checkName("key", key);
    try {
      rmSync(join(this.directory, fileName(key)), { force: true });
    } catch (error) {
      throw new FileStorageError(`"${key}" could not be deleted: ${(error as Error).message}`);
    }
    this.#syncDirectory();
  }

  keys(): string[] {
    const keys: string[] = [];
    for (const file of readdirSync(this.directory)) {
      const key = keyOf(file);
      if (key !== undefined) keys.push(key);
    }
    return keys;
  }

  /** Makes the rename or removal itself durable (best effort: not every platform can open a folder). */
  #syncDirectory(): void {
    let fd: number | undefined;
    try {
      fd = openSync(this.directory, "r");
      fsyncSync(fd);
    } catch {
      // Windows cannot fsync a folder; the rename is still atomic.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
