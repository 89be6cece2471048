// query_posts `criteria` (protocol sheet §3): validated like the service's schema (any failure is a
// validation error, which the service answers with error_code internal_error) and evaluated with SQL
// semantics (a comparison against a missing value is never true, not even neq / not_in).

export const NUMERIC_FIELDS = ["width", "height", "file_bytes", "frame_count", "min_frame_duration_ms", "max_frame_duration_ms", "unique_colors"] as const;
export const BOOLEAN_FIELDS = ["transparency_meta", "alpha_meta", "transparency_actual", "alpha_actual"] as const;
export const ENUM_FIELDS = ["file_format", "native_file_format", "kind"] as const;
export const OPERATORS = ["eq", "neq", "lt", "gt", "lte", "gte", "in", "not_in", "is_null", "is_not_null"] as const;

type NumericField = (typeof NUMERIC_FIELDS)[number];
type BooleanField = (typeof BOOLEAN_FIELDS)[number];
export type CriteriaField = NumericField | BooleanField | (typeof ENUM_FIELDS)[number];
export type Operator = (typeof OPERATORS)[number];
export type CriterionValue = number | boolean | string | number[] | string[] | null;

export interface Criterion {
  field: CriteriaField;
  op: Operator;
  value: CriterionValue;
}

const NULLABLE_FIELDS: readonly string[] = ["min_frame_duration_ms", "max_frame_duration_ms", "unique_colors"];
const FILE_FORMATS: readonly string[] = ["png", "gif", "webp", "bmp"];
const KINDS: readonly string[] = ["artwork", "playlist"];
export const MAX_CRITERIA = 64;
export const MAX_LIST_VALUES = 128;

/** A criteria list the service's schema refuses; the message names the criterion. */
export class CriteriaError extends Error {}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** Validates the raw `criteria` of a request; throws CriteriaError on the first problem. */
export function parseCriteria(raw: unknown): Criterion[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new CriteriaError("criteria: Input should be a valid list");
  if (raw.length > MAX_CRITERIA) throw new CriteriaError(`criteria: List should have at most ${MAX_CRITERIA} items after validation, not ${raw.length}`);
  return raw.map((item, index) => parseCriterion(item, index));
}

function parseCriterion(raw: unknown, index: number): Criterion {
  const where = `criteria.${index}`;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new CriteriaError(`${where}: Input should be a valid dictionary`);
  const record = raw as { [key: string]: unknown };
  const field = record["field"];
  const op = record["op"];
  const value = record["value"] === undefined ? null : record["value"];
  const fail = (message: string): never => {
    throw new CriteriaError(`${where}: ${message}`);
  };
  if (typeof field !== "string" || !([...NUMERIC_FIELDS, ...BOOLEAN_FIELDS, ...ENUM_FIELDS] as readonly string[]).includes(field)) {
    fail(`field: Input should be one of the criteria fields, not ${JSON.stringify(field)}`);
  }
  if (typeof op !== "string" || !(OPERATORS as readonly string[]).includes(op)) fail(`op: Input should be an operator, not ${JSON.stringify(op)}`);
  const f = field as CriteriaField;
  const o = op as Operator;
  const isNumeric = (NUMERIC_FIELDS as readonly string[]).includes(f);
  const isBoolean = (BOOLEAN_FIELDS as readonly string[]).includes(f);
  if (isBoolean && o !== "eq" && o !== "neq") fail(`Operator '${o}' not valid for boolean field '${f}'`);
  if (!isNumeric && !isBoolean && (o === "lt" || o === "gt" || o === "lte" || o === "gte")) fail(`Operator '${o}' not valid for string field '${f}'`);
  if ((o === "is_null" || o === "is_not_null") && !NULLABLE_FIELDS.includes(f)) fail(`Field '${f}' is not nullable`);

  if (o === "is_null" || o === "is_not_null") {
    if (value !== null) fail(`Operator '${o}' does not accept a value`);
    return { field: f, op: o, value: null };
  }
  if (o === "in" || o === "not_in") {
    if (!Array.isArray(value)) fail(`Operator '${o}' requires an array value`);
    const list = value as unknown[];
    if (list.length === 0) fail(`Operator '${o}' requires at least one value`);
    if (list.length > MAX_LIST_VALUES) fail(`Operator '${o}' accepts at most ${MAX_LIST_VALUES} values`);
    // The schema's list types are list[int] and list[str]: no floats, no mixtures.
    if (isNumeric) {
      if (!list.every((v) => isNumber(v) && Number.isInteger(v))) fail(`All values must be numeric for field '${f}'`);
    } else if (!list.every((v) => typeof v === "string")) {
      fail(`Values must be strings for field '${f}'`);
    } else {
      const allowed = f === "kind" ? KINDS : FILE_FORMATS;
      const invalid = (list as string[]).filter((v) => !allowed.includes(v));
      if (invalid.length > 0) fail(`Invalid ${f} values: ${JSON.stringify(invalid)}`);
    }
    return { field: f, op: o, value: list as number[] | string[] };
  }
  if (value === null) fail(`Operator '${o}' requires a value`);
  if (Array.isArray(value) || typeof value === "object") fail(`Operator '${o}' takes a single value`);
  if (isNumeric && !isNumber(value)) fail(`Value must be numeric for field '${f}'`);
  if (isBoolean && typeof value !== "boolean") fail(`Value must be boolean for field '${f}'`);
  if (!isNumeric && !isBoolean) {
    const allowed = f === "kind" ? KINDS : FILE_FORMATS;
    if (typeof value !== "string" || !allowed.includes(value)) fail(`Invalid ${f}: ${JSON.stringify(value)}`);
  }
  return { field: f, op: o, value: value as number | boolean | string };
}

/** One stored file of a post: file_format / file_bytes criteria match any of them. */
export interface RenditionFacts {
  format: string;
  fileBytes: number;
  native: boolean;
}

/** What criteria look at; a missing value is null (playlists have no size, static art no delays). */
export interface CriteriaSubject {
  kind: string;
  width: number | null;
  height: number | null;
  frame_count: number | null;
  min_frame_duration_ms: number | null;
  max_frame_duration_ms: number | null;
  unique_colors: number | null;
  transparency_meta: boolean | null;
  alpha_meta: boolean | null;
  transparency_actual: boolean | null;
  alpha_actual: boolean | null;
  renditions: readonly RenditionFacts[];
}

/** SQL-style comparison: null on either side is never a match. */
function compare(actual: number | boolean | string | null, op: Operator, value: CriterionValue): boolean {
  if (op === "is_null") return actual === null;
  if (op === "is_not_null") return actual !== null;
  if (actual === null) return false;
  switch (op) {
    case "eq":
      return actual === value;
    case "neq":
      return actual !== value;
    case "lt":
      return (actual as number) < (value as number);
    case "gt":
      return (actual as number) > (value as number);
    case "lte":
      return (actual as number) <= (value as number);
    case "gte":
      return (actual as number) >= (value as number);
    case "in":
      return (value as (number | string)[]).includes(actual as number | string);
    case "not_in":
      return !(value as (number | string)[]).includes(actual as number | string);
  }
}

/**
 * Whether a post passes every criterion (they are AND-ed). As in the service, the file_format and
 * file_bytes criteria together must hold for one stored rendition, and native_file_format for the
 * native file.
 */
export function matchesCriteria(subject: CriteriaSubject, criteria: readonly Criterion[]): boolean {
  const fileCriteria: Criterion[] = [];
  const nativeCriteria: Criterion[] = [];
  for (const criterion of criteria) {
    if (criterion.field === "file_format" || criterion.field === "file_bytes") fileCriteria.push(criterion);
    else if (criterion.field === "native_file_format") nativeCriteria.push(criterion);
    else if (!compare(subject[criterion.field], criterion.op, criterion.value)) return false;
  }
  const renditionPasses = (rendition: RenditionFacts, list: Criterion[]) =>
    list.every((c) => compare(c.field === "file_bytes" ? rendition.fileBytes : rendition.format, c.op, c.value));
  if (fileCriteria.length > 0 && !subject.renditions.some((r) => renditionPasses(r, fileCriteria))) return false;
  if (nativeCriteria.length > 0 && !subject.renditions.some((r) => r.native && renditionPasses(r, nativeCriteria))) return false;
  return true;
}
