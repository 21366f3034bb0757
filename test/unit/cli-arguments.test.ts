// The command line's own argument formats and the bundle reader's file mapping.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parseLabel, parseResource, parseTtl, parseWhen } from "../../src/cli/arguments";
import { readBundle, withOrigin } from "../../src/cli/bundle-files";
import { resolveTarget } from "../../src/cli/config-store";

describe("command-line arguments", () => {
  it("TYPE/NAMESPACE/NAME: first segment the type, last the name, the rest the namespace", () => {
    expect(parseResource("job")).to.deep.equal({ type: "job", namespace: "", name: "" });
    expect(parseResource("job/prod")).to.deep.equal({ type: "job", namespace: "prod", name: "" });
    expect(parseResource("job/prod/api")).to.deep.equal({ type: "job", namespace: "prod", name: "api" });
    expect(parseResource("job/prod/web/api")).to.deep.equal({ type: "job", namespace: "prod/web", name: "api" });
    expect(() => parseResource("/prod/api")).to.throw(/not TYPE\/NAMESPACE\/NAME/);
  });

  it("labels, durations and points in time", () => {
    expect(parseLabel("tier=web=1", [{ key: "a", value: "b" }])).to.deep.equal([
      { key: "a", value: "b" },
      { key: "tier", value: "web=1" },
    ]);
    expect(() => parseLabel("=x")).to.throw(/not key=value/);
    expect(parseTtl("1h30m")).to.equal(5400);
    expect(() => parseTtl("1 hour")).to.throw(/invalid duration/);
    const now = new Date("2026-03-10T12:00:00.000Z");
    expect(parseWhen("7d", now)).to.equal("2026-03-03T12:00:00.000Z");
    expect(parseWhen("2026-01-31", now)).to.equal("2026-01-31T00:00:00.000Z");
    expect(parseWhen("2026-01-31T08:00:00+02:00", now)).to.equal("2026-01-31T06:00:00.000Z");
    expect(() => parseWhen("yesterday", now)).to.throw(/neither a duration/);
    expect(() => parseWhen("2026-02-31T00:00:00", now)).to.throw(/neither a duration/);
  });

  it("the target: --server, then PORTCULLIS_URL, then the context; --context wins over the environment", () => {
    const config = {
      current: "a",
      contexts: {
        a: { server: "https://a.example.com/", secret: "A" },
        b: { server: "https://b.example.com", secret: "B" },
      },
    };
    const env = { PORTCULLIS_URL: "https://env.example.com", PORTCULLIS_TOKEN: "E" };
    expect(resolveTarget(config, {}, {})).to.deep.include({
      server: "https://a.example.com",
      secret: "A",
      contextName: "a",
    });
    expect(resolveTarget(config, {}, env)).to.deep.include({ server: "https://env.example.com", secret: "E" });
    expect(resolveTarget(config, { context: "b" }, env)).to.deep.include({
      server: "https://b.example.com",
      secret: "B",
    });
    expect(resolveTarget(config, { context: "b", server: "http://127.0.0.1:4000" }, env)).to.deep.include({
      server: "http://127.0.0.1:4000",
      secret: "B",
    });
    expect(resolveTarget({ contexts: {} }, {}, {})).to.deep.include({
      server: "http://localhost:4000",
      secret: undefined,
      contextName: null,
    });
    expect(() => resolveTarget(config, { context: "c" }, env)).to.throw(/no context named 'c'/);
    expect(() => resolveTarget(config, { server: "ftp://x" }, {})).to.throw(/not an http\(s\) URL/);
  });

  it("a bundle folder: YAML files recursively in name order, documents mapped back to their files", () => {
    const dir = mkdtempSync(join(tmpdir(), "portcullis-bundle-"));
    try {
      mkdirSync(join(dir, "roles"));
      writeFileSync(join(dir, "b.yaml"), "---\nkind: policy\nname: b\nrules: []\n");
      writeFileSync(join(dir, "a.yml"), "kind: policy\nname: a1\nrules: []\n---\nkind: policy\nname: a2\nrules: []\n");
      writeFileSync(join(dir, "roles", "r.yaml"), "# a comment\nkind: role\nname: r\npolicies: [a1]\n");
      writeFileSync(join(dir, "notes.txt"), "kind: nope\n");
      const bundle = readBundle([dir]);
      expect(bundle.files.map((f) => f.slice(dir.length + 1))).to.deep.equal(["a.yml", "b.yaml", "roles/r.yaml"]);
      expect(bundle.origins.map((o) => `${o.file.slice(-6)}#${o.index}`)).to.deep.equal([
        "/a.yml#0",
        "/a.yml#1",
        "b.yaml#0",
        "r.yaml#0",
      ]);
      expect(bundle.document).to.equal(
        "kind: policy\nname: a1\nrules: []\n---\nkind: policy\nname: a2\nrules: []\n---\nkind: policy\nname: b\nrules: []\n---\n# a comment\nkind: role\nname: r\npolicies: [a1]\n",
      );
      expect(withOrigin("documents[3].policies[0]: unknown policy", bundle)).to.match(
        /^documents\[3\] \(.*roles\/r\.yaml, document 1\)\.policies\[0\]/,
      );
      writeFileSync(join(dir, "c.yaml"), "kind: [\n");
      expect(() => readBundle([dir])).to.throw(/c\.yaml:\d+:\d+: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
