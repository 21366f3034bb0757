// Writes docs/guard-table.md from the guard table (run by `npm run build`). The
// committed file is checked against this output by
// test/unit/graphql/guard-table-doc.test.ts, so the document cannot drift from
// the table. Every type of the table is written, root or not, and every entry
// kind, known or not, so the generator keeps working as the table grows. The
// comments written above an entry in guard-table.ts become its note.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as guardModule from "./guard-table";

const REPO = join(__dirname, "..", "..", "..", "..");
export const GUARD_TABLE_SOURCE = join(REPO, "src", "graphql", "guard", "guard-table.ts");
export const GUARD_TABLE_DOC = join(REPO, "docs", "guard-table.md");

type Table = Record<string, Record<string, unknown>>;

/** The `//` comment lines written right above each `field:` of each `Type: {` block, as "Type.field" → text. */
export function entryNotes(source: string): Map<string, string> {
  const notes = new Map<string, string>();
  let type: string | null = null;
  let pending: string[] = [];
  for (const line of source.split("\n")) {
    const block = /^ {2}([A-Za-z_][A-Za-z0-9_]*): \{\s*$/.exec(line);
    if (block) {
      type = block[1]!;
      pending = [];
      continue;
    }
    const comment = /^ {4}\/\/ ?(.*)$/.exec(line);
    if (comment && type !== null) {
      pending.push(comment[1].trim());
      continue;
    }
    const entry = /^ {4}([A-Za-z_][A-Za-z0-9_]*): /.exec(line);
    if (entry && type !== null && pending.length > 0) notes.set(`${type}.${entry[1]}`, pending.join(" "));
    pending = [];
  }
  return notes;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

/**
 * The arguments a `name` function reads (`id`, `input.role`), from its text: the
 * functions are one-liners over their first parameter. Empty when none is seen.
 */
export function argumentsRead(fn: (...args: never[]) => unknown): string[] {
  const text = fn.toString();
  const param = /^(?:async\s+)?(?:function\s*[A-Za-z0-9_$]*\s*)?\(?\s*([A-Za-z_$][A-Za-z0-9_$]*)/.exec(text)?.[1];
  if (param === undefined) return [];
  const found = new Set<string>();
  for (const m of text.matchAll(
    new RegExp(
      `\\b${param.replace(/\$/g, "\\$")}\\.([A-Za-z_$][A-Za-z0-9_$]*(?:\\??\\.[A-Za-z_$][A-Za-z0-9_$]*)*)`,
      "g",
    ),
  )) {
    found.add(m[1].replace(/\?/g, ""));
  }
  return [...found];
}

function nameColumn(name: unknown): string {
  if (typeof name !== "function") return "empty";
  const args = argumentsRead(name as (...args: never[]) => unknown);
  return args.length === 0 ? "computed" : `from ${args.map((a) => `\`${a}\``).join(", ")}`;
}

/** What one entry asks for, in the table's columns: needs, resource name, own business. */
function describe(entry: Record<string, unknown>): [string, string, string] {
  switch (entry.kind) {
    case "always":
      return ["a valid credential only: no decision, no audit event", "", ""];
    case "resolver":
      return ["decided by the resolver, object by object, each decision audited (see the note)", "", ""];
    case "check":
      return [
        `\`${String(entry.capability)}\``,
        nameColumn(entry.name),
        typeof entry.self === "function" ? "yes, when the call concerns only the caller" : "no",
      ];
    default: {
      // An entry kind this generator does not know yet: show what it holds rather than fail.
      const shown = Object.entries(entry)
        .filter(([, v]) => typeof v !== "function")
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join(", ");
      const computed = Object.entries(entry)
        .filter(([, v]) => typeof v === "function")
        .map(([k]) => k);
      return [`\`${shown}\``, computed.length > 0 ? `computed: ${computed.join(", ")}` : "", ""];
    }
  }
}

const ROOTS = new Set(["Query", "Mutation", "Subscription"]);

/** The Markdown of docs/guard-table.md for `table`, with `notes` from entryNotes(). */
export function guardTableMarkdown(table: Table, notes: Map<string, string>): string {
  const out: string[] = [
    "# The guard table",
    "",
    "<!-- Generated from src/graphql/guard/guard-table.ts by `npm run docs:guard`. Do not edit by hand: a test fails when this file differs from what the script writes. -->",
    "",
    "Every field needs a valid credential (without one the answer is `UNAUTHENTICATED`),",
    "and every field listed here is guarded by the same policy engine that answers `can`.",
    "A field that needs a capability is allowed only when the caller holds that",
    "capability on the named type in namespace `system`, for a resource named as the",
    "*resource name* column says: the name of the object the call addresses, taken",
    "from the arguments shown (a user id or email stands for the user's email, lower",
    "case; a YAML `document` for the `name:` written in it; a role, policy, token or",
    "grant for its name or id), or empty for lists and checks. Each such",
    "decision, allowed or denied, is written to the audit trail with operation",
    "`Type.field` (`Query.users`, `Mutation.createRole`) before the answer is sent.",
    "",
    "A root field of `Query`, `Mutation` or `Subscription` that has no entry here is",
    "refused to everyone. A refusal is the GraphQL error `FORBIDDEN` with",
    "`extensions.reason` (the decision's reason) and `extensions.capability`; when only",
    "multi-factor authentication is missing the code is `MFA_REQUIRED`.",
    "",
    "*Own business*: when the call concerns only the caller (about yourself, your own",
    "tokens), it is allowed without a capability and without a decision. See",
    "[concepts](concepts.md) for the `system` types and [decisions](decisions.md) for",
    "the reasons.",
  ];
  for (const [type, fields] of Object.entries(table)) {
    out.push("", `## ${type}`, "");
    if (!ROOTS.has(type)) out.push(`Fields of the object type \`${type}\`.`, "");
    out.push("| field | needs | resource name | own business | note |", "|---|---|---|---|---|");
    for (const field of Object.keys(fields).sort()) {
      const [needs, name, self] = describe(fields[field] as Record<string, unknown>);
      const note = notes.get(`${type}.${field}`) ?? "";
      out.push(`| \`${field}\` | ${cell(needs)} | ${cell(name)} | ${cell(self)} | ${cell(note)} |`);
    }
  }
  return out.join("\n") + "\n";
}

const isEntry = (v: unknown): boolean =>
  typeof v === "object" && v !== null && typeof (v as { kind?: unknown }).kind === "string";

/**
 * Every table guard-table.ts exports (GUARD_TABLE first, then any other export
 * shaped Type → field → entry), merged by type: entries for object fields may
 * live beside the root table.
 */
export function guardTables(module: Record<string, unknown>): Table {
  const merged: Table = {};
  const names = Object.keys(module).sort((a, b) =>
    a === "GUARD_TABLE" ? -1 : b === "GUARD_TABLE" ? 1 : a.localeCompare(b),
  );
  for (const name of names) {
    const value = module[name];
    if (typeof value !== "object" || value === null) continue;
    const types = Object.entries(value as Record<string, unknown>);
    const isTable =
      types.length > 0 &&
      types.every(
        ([, fields]) => typeof fields === "object" && fields !== null && Object.values(fields).every(isEntry),
      );
    if (!isTable) continue;
    for (const [type, fields] of types)
      merged[type] = { ...(merged[type] ?? {}), ...(fields as Record<string, unknown>) };
  }
  return merged;
}

/** What `npm run docs:guard` writes. */
export function emittedGuardTableDoc(): string {
  const source = existsSync(GUARD_TABLE_SOURCE) ? readFileSync(GUARD_TABLE_SOURCE, "utf8") : "";
  return guardTableMarkdown(guardTables(guardModule), entryNotes(source));
}

if (require.main === module) {
  mkdirSync(join(REPO, "docs"), { recursive: true });
  writeFileSync(GUARD_TABLE_DOC, emittedGuardTableDoc());
}
