// Reads the YAML documents of `plan -f` / `apply -f`: files as given, folders
// searched recursively for *.yaml and *.yml in name order. The documents are
// sent as one YAML stream; `origins` maps each document's index in that stream
// back to its file, so that the server's `documents[3]…` reads as a place in the repository.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { CliError, EXIT, usageError } from "./cli-error";

export interface BundleSource {
  document: string;
  origins: Array<{ file: string; index: number }>;
  files: string[];
}

function yamlFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw usageError(`-f: ${path} does not exist`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => !e.name.startsWith("."))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) =>
      e.isDirectory() ? yamlFiles(join(path, e.name)) : /\.ya?ml$/i.test(e.name) ? [join(path, e.name)] : [],
    );
}

export function readBundle(paths: string[]): BundleSource {
  if (paths.length === 0) throw usageError("-f: give at least one file or folder of YAML documents");
  const files = paths.flatMap(yamlFiles);
  if (files.length === 0) throw usageError(`-f: no *.yaml files in ${paths.join(", ")}`);
  const parts: string[] = [];
  const origins: BundleSource["origins"] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const documents = parseAllDocuments(text);
    const list = Array.isArray(documents) ? documents : [documents];
    let count = 0;
    for (const doc of list) {
      const problem = doc.errors[0];
      if (problem) {
        const at = problem.linePos?.[0];
        throw new CliError(
          `invalid: ${file}${at ? `:${at.line}:${at.col}` : ""}: ${problem.message.split("\n")[0]}`,
          EXIT.USAGE,
        );
      }
      if (doc.contents === null) continue;
      origins.push({ file: relative(process.cwd(), file) || file, index: count++ });
    }
    // The file as written (comments, order), so that the server's line numbers are the file's within each document.
    if (count > 0) parts.push(text.replace(/^---[ \t]*\r?\n/, "").replace(/\s*$/, "\n"));
  }
  if (parts.length === 0) throw usageError(`-f: ${paths.join(", ")} holds no YAML documents`);
  return { document: parts.join("---\n"), origins, files };
}

/** Rewrites `documents[N]` in a server message to name the file and the document in it. */
export function withOrigin(message: string, source: BundleSource): string {
  return message.replace(/documents\[(\d+)\]/g, (whole, n: string) => {
    const origin = source.origins[Number(n)];
    return origin ? `${whole} (${origin.file}, document ${origin.index + 1})` : whole;
  });
}
