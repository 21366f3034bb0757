// Typed reading of parsed YAML values. Every problem is recorded with its path
// and reading carries on, so one pass reports everything wrong with a document.

import { didYouMean } from "./did-you-mean";
import type { ValidationIssue } from "./types";
import { ValidationError } from "./validation-error";

/** `at("rules", 2)` → "rules[2]"; `at("rules[2]", "level")` → "rules[2].level". */
export function at(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  const safe = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : null;
  if (safe === null) return `${path}[${JSON.stringify(key.slice(0, 80))}]`;
  return path === "" ? safe : `${path}.${safe}`;
}

/** Short description of a value for messages: "a number (42)", "a list". */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing (null)";
  if (typeof value === "string") return `a string ('${value.length > 40 ? `${value.slice(0, 40)}…` : value}')`;
  if (typeof value === "number" || typeof value === "boolean") return `a ${typeof value} (${String(value)})`;
  if (Array.isArray(value)) return "a list";
  if (value instanceof Map) return "a mapping";
  return `a value of type ${typeof value === "object" ? (value.constructor?.name ?? "object") : typeof value}`;
}

export class DocumentReader {
  readonly issues: ValidationIssue[] = [];

  issue(path: string, message: string): void {
    this.issues.push({ path: path === "" ? "document" : path, message });
  }

  throwIfAny(): void {
    if (this.issues.length > 0) throw new ValidationError(this.issues);
  }

  /** A mapping with string keys, every key among `allowed` (unknown keys are reported with a suggestion). */
  mapping(value: unknown, path: string, allowed: readonly string[], what = "a mapping"): Map<string, unknown> | null {
    if (!(value instanceof Map)) {
      this.issue(path, `expected ${what}, got ${describe(value)}`);
      return null;
    }
    const out = new Map<string, unknown>();
    for (const [key, v] of value) {
      if (typeof key !== "string") {
        this.issue(path, `keys must be strings, got ${describe(key)}`);
        continue;
      }
      if (!allowed.includes(key)) {
        this.issue(at(path, key), `unknown key '${key.slice(0, 80)}'${didYouMean(key, allowed)}`);
        continue;
      }
      out.set(key, v);
    }
    return out;
  }

  /** A mapping with any string keys (label selectors). */
  openMapping(value: unknown, path: string): Map<string, unknown> | null {
    if (!(value instanceof Map)) {
      this.issue(path, `expected a mapping, got ${describe(value)}`);
      return null;
    }
    const out = new Map<string, unknown>();
    for (const [key, v] of value) {
      if (typeof key !== "string") this.issue(path, `keys must be strings, got ${describe(key)}`);
      else out.set(key, v);
    }
    return out;
  }

  /** The value at `key` of the mapping at `path`; a missing key is reported at its own path (`rules[1].resource`). */
  required(map: Map<string, unknown>, key: string, path: string): unknown {
    if (!map.has(key)) this.issue(at(path, key), `missing required key '${key}'`);
    return map.get(key);
  }

  string(value: unknown, path: string): string | null {
    if (typeof value === "string") return value;
    this.issue(path, `expected a string, got ${describe(value)}`);
    return null;
  }

  boolean(value: unknown, path: string): boolean | null {
    if (typeof value === "boolean") return value;
    this.issue(path, `expected true or false, got ${describe(value)}`);
    return null;
  }

  integer(value: unknown, path: string, min: number, max: number): number | null {
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
    const got = typeof value === "number" ? String(value) : describe(value);
    this.issue(path, `expected a whole number from ${min} to ${max}, got ${got}`);
    return null;
  }

  list(value: unknown, path: string): unknown[] | null {
    if (Array.isArray(value)) return value as unknown[];
    this.issue(path, `expected a list, got ${describe(value)}`);
    return null;
  }

  /** A list of strings; bad entries are reported and left out. Duplicates are reported. */
  stringList(value: unknown, path: string): Array<{ value: string; path: string }> | null {
    const items = this.list(value, path);
    if (items === null) return null;
    const out: Array<{ value: string; path: string }> = [];
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const s = this.string(item, at(path, i));
      if (s === null) return;
      if (seen.has(s)) {
        this.issue(at(path, i), `'${s.slice(0, 80)}' is listed twice`);
        return;
      }
      seen.add(s);
      out.push({ value: s, path: at(path, i) });
    });
    return out;
  }
}
