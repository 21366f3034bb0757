// The `portcullis` bin must run from an install without dev dependencies, and
// stay a client of the API: what dist/src/cli/main.js loads (statically,
// following every relative require) is node's own modules, runtime
// dependencies, and no server code besides the pure modules it shares (the
// duration format, the audit hash rule). `migrate` loads storage lazily.
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { expect } from "chai";

const ROOT = join(__dirname, "..", "..", "..");
const DIST_SRC = join(ROOT, "dist", "src");

function loadedBy(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, spec] of readFileSync(file, "utf8").matchAll(/\brequire\("([^"]+)"\)/g)) {
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec.endsWith(".js") ? spec : `${spec}.js`));
      else packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
    }
  };
  visit(entry);
  return { files, packages };
}

describe("the portcullis bin's dependencies", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    bin: Record<string, string>;
    dependencies: Record<string, string>;
  };
  const { files, packages } = loadedBy(join(ROOT, pkg.bin.portcullis));

  it("loads only node built-ins and runtime dependencies", () => {
    const foreign = [...packages].filter(
      (p) => !p.startsWith("node:") && !builtinModules.includes(p) && !(p in pkg.dependencies),
    );
    expect(foreign).to.deep.equal([]);
    expect([...packages]).to.include.members(["commander", "cli-table3", "graphql-ws", "ws", "yaml"]);
  });

  it("loads no server code besides the pure modules it shares", () => {
    const outside = [...files]
      .map((f) => relative(DIST_SRC, f))
      .filter((f) => !f.startsWith("cli/"))
      .sort();
    expect(outside).to.deep.equal(["domain/audit/audit-hash.js", "engine/duration.js", "engine/validation-error.js"]);
  });
});
