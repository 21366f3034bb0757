// Reads and validates seeds/: resource types, built-in policies and roles.
// Every problem in every file is collected before anything is refused, so a
// broken seed directory is reported in one go.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse as parseYaml } from "yaml";
import { parsePolicyDocument, parseResourceTypeDocuments, parseRoleDocument, ValidationError } from "../../engine";
import type { PolicyDoc, ResourceTypeDef, RoleDoc } from "../../engine/types";

export interface SeedDocument<T> {
  file: string;
  text: string;
  doc: T;
}

export interface SeedSet {
  types: ResourceTypeDef[];
  policies: SeedDocument<PolicyDoc>[];
  roles: SeedDocument<RoleDoc>[];
}

export class SeedError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid seeds (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`);
    this.name = "SeedError";
  }
}

function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Loads and validates the seed directory; throws SeedError listing every problem. */
export function loadSeeds(dir: string): SeedSet {
  const problems: string[] = [];
  const show = (file: string) => relative(process.cwd(), file) || file;
  const collect = (file: string, err: unknown) => {
    if (err instanceof ValidationError)
      for (const i of err.issues) problems.push(`${show(file)}: ${i.path}: ${i.message}`);
    else problems.push(`${show(file)}: ${err instanceof Error ? err.message : String(err)}`);
  };

  const typesFile = join(dir, "resource-types.yaml");
  let types: ResourceTypeDef[] = [];
  try {
    types = parseResourceTypeDocuments(readFileSync(typesFile, "utf8"));
    const seen = new Set<string>();
    types.forEach((t, i) => {
      if (seen.has(t.name)) problems.push(`${show(typesFile)}: [${i}].name: type '${t.name}' is defined twice`);
      seen.add(t.name);
    });
  } catch (err) {
    collect(typesFile, err);
  }
  const typeMap = new Map(types.map((t) => [t.name, t]));

  const policies: SeedDocument<PolicyDoc>[] = [];
  for (const file of yamlFiles(join(dir, "policies"))) {
    const text = readFileSync(file, "utf8");
    try {
      policies.push({ file, text, doc: parsePolicyDocument(text, typeMap) });
    } catch (err) {
      collect(file, err);
    }
  }

  // Roles may refer to each other in any order: the cycle check needs every
  // seed role's inherits before any role is validated.
  const roleFiles = yamlFiles(join(dir, "roles")).map((file) => ({ file, text: readFileSync(file, "utf8") }));
  const inheritsByName = new Map<string, string[]>();
  for (const { text } of roleFiles) {
    try {
      const raw = parseYaml(text) as { name?: unknown; inherits?: unknown };
      if (typeof raw?.name === "string") {
        inheritsByName.set(raw.name.toLowerCase(), Array.isArray(raw.inherits) ? raw.inherits.map(String) : []);
      }
    } catch {
      // the strict parse below reports it
    }
  }
  const policyNames = new Set(policies.map((p) => p.doc.name.toLowerCase()));
  const refs = {
    policyExists: (name: string) => policyNames.has(name.toLowerCase()),
    roleInherits: (name: string) => inheritsByName.get(name.toLowerCase()),
    policyNames: () => policies.map((p) => p.doc.name),
    roleNames: () => [...inheritsByName.keys()],
  };
  const roles: SeedDocument<RoleDoc>[] = [];
  for (const { file, text } of roleFiles) {
    try {
      roles.push({ file, text, doc: parseRoleDocument(text, refs) });
    } catch (err) {
      collect(file, err);
    }
  }

  for (const [kind, docs] of [
    ["policy", policies],
    ["role", roles],
  ] as const) {
    const seen = new Map<string, string>();
    for (const d of docs) {
      const key = d.doc.name.toLowerCase();
      const other = seen.get(key);
      if (other) problems.push(`${show(d.file)}: name: ${kind} '${d.doc.name}' is also defined in ${show(other)}`);
      seen.set(key, d.file);
    }
  }

  if (problems.length > 0) throw new SeedError(problems);
  return { types, policies, roles };
}
