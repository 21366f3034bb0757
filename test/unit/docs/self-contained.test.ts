// The README, docs/ and the schema are read by people who have the repository
// and nothing else: they must not send them to files outside it, and every
// relative link must lead to a file that exists.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect } from "chai";

const REPO = join(__dirname, "..", "..", "..", "..");
// Spelled in pieces so that this file does not match itself.
const OUTSIDE = [["..", "shared"].join("/"), ["PRODUCT", "md"].join(".")];

function files(dir: string, keep: (path: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, keep) : keep(path) ? [path] : [];
  });
}

const documents = [join(REPO, "README.md"), ...files(join(REPO, "docs"), (p) => p.endsWith(".md"))];
const sources = [
  join(REPO, "schema", "schema.graphql"),
  ...files(join(REPO, "src"), (p) => p.endsWith(".ts")),
  ...files(join(REPO, "test"), (p) => p.endsWith(".ts")),
  ...files(join(REPO, "bench"), (p) => p.endsWith(".ts")),
];

/** GitHub's anchors for the headings of a Markdown file (fenced code left out). */
function anchors(path: string): Set<string> {
  const text = readFileSync(path, "utf8").replace(/```[\s\S]*?```/g, "");
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{1,6} +(.+?) *$/gm)) {
    const slug = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

describe("the repository's documentation", () => {
  it("names no file outside the repository", () => {
    const found = [...documents, ...sources].flatMap((path) => {
      const text = readFileSync(path, "utf8");
      return OUTSIDE.filter((needle) => text.includes(needle)).map((needle) => `${relative(REPO, path)}: ${needle}`);
    });
    expect(found).to.deep.equal([]);
  });

  it("links only to files that exist, inside the repository", () => {
    const broken = documents.flatMap((path) => {
      const text = readFileSync(path, "utf8");
      return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => m[1].split("#")[0])
        .filter((target) => target !== "" && !/^[a-z]+:/i.test(target))
        .filter((target) => {
          const full = resolve(dirname(path), target);
          return !full.startsWith(resolve(REPO) + "/") || !existsSync(full);
        })
        .map((target) => `${relative(REPO, path)} -> ${target}`);
    });
    expect(broken).to.deep.equal([]);
  });

  it("links only to headings that exist", () => {
    const broken = documents.flatMap((path) => {
      const text = readFileSync(path, "utf8").replace(/```[\s\S]*?```/g, "");
      return [...text.matchAll(/\]\(([^)\s]*#[^)\s]+)\)/g)]
        .map((m) => m[1])
        .filter((link) => !/^[a-z]+:/i.test(link))
        .filter((link) => {
          const [file, anchor] = link.split("#") as [string, string];
          const target = file === "" ? path : resolve(dirname(path), file);
          return !existsSync(target) || !anchors(target).has(anchor);
        })
        .map((link) => `${relative(REPO, path)} -> ${link}`);
    });
    expect(broken).to.deep.equal([]);
  });
});
