import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import {
  BUNDLE_KINDS,
  parsePolicyDocument,
  parseRoleDocument,
  readBundleDocument,
  readSsoMappingsDocument,
  ValidationError,
} from "../../../src/engine";
import { documentSchemaFiles, documentSchemas } from "../../../src/domain/bundles/document-schemas";

const DIR = join(__dirname, "..", "..", "..", "..", "schema", "documents");

describe("schema/documents/*.schema.json", () => {
  it("are exactly what the validators' definitions emit (run `npm run build` and commit them)", () => {
    const files = documentSchemaFiles();
    expect(readdirSync(DIR).sort()).to.deep.equal(Object.keys(files).sort());
    for (const [name, text] of Object.entries(files))
      expect(readFileSync(join(DIR, name), "utf8") === text, `${name} is stale`).to.equal(true);
  });

  it("has one schema per document kind, each allowing exactly the keys its reader accepts", () => {
    const schemas = documentSchemas();
    for (const kind of BUNDLE_KINDS) {
      const schema = schemas[`${kind}.schema.json`] as {
        properties: Record<string, { const?: string }>;
        additionalProperties: boolean;
      };
      expect(schema.additionalProperties).to.equal(false);
      expect(schema.properties.kind.const).to.equal(kind);
    }
    const policy = schemas["policy.schema.json"] as {
      properties: { rules: { items: { properties: Record<string, unknown> } } };
    };
    const rule = policy.properties.rules.items;
    expect(Object.keys(rule.properties)).to.include.members(["resource", "namespace", "capabilities", "level", "when"]);
    expect(rule.properties.namespce).to.equal(undefined);
  });
});

describe("the document schemas and the document readers", () => {
  const SEEDS = join(__dirname, "..", "..", "..", "..", "seeds");
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const [name, schema] of Object.entries(documentSchemas())) ajv.addSchema(schema, name);
  const valid = (value: unknown) => ajv.validate("document.schema.json", value);

  it("accept every built-in resource type, policy and role", () => {
    const texts = [
      readFileSync(join(SEEDS, "resource-types.yaml"), "utf8"),
      ...["policies", "roles"].flatMap((dir) =>
        readdirSync(join(SEEDS, dir)).map((f) => readFileSync(join(SEEDS, dir, f), "utf8")),
      ),
    ];
    for (const doc of texts.flatMap((t) => parseAllDocuments(t)).map((d): unknown => d.toJS())) {
      expect(valid(doc), `${JSON.stringify(doc).slice(0, 80)}: ${ajv.errorsText()}`).to.equal(true);
    }
  });

  it("refuse what the readers refuse: unknown keys, capabilities with level, a bad name, an unknown prune kind", () => {
    const refusedByBoth: Array<[unknown, () => unknown]> = [
      [
        { kind: "policy", name: "p", rules: [{ resource: "job", namespce: "prod", capabilities: ["read"] }] },
        () =>
          parsePolicyDocument(
            "kind: policy\nname: p\nrules:\n  - resource: job\n    namespce: prod\n    capabilities: [read]\n",
            new Map([["job", { name: "job", capabilities: { read: "READ" } }]]),
          ),
      ],
      [
        { kind: "policy", name: "p", rules: [{ resource: "job", capabilities: ["read"], level: "READ" }] },
        () =>
          parsePolicyDocument(
            "kind: policy\nname: p\nrules:\n  - resource: job\n    capabilities: [read]\n    level: READ\n",
            new Map([["job", { name: "job", capabilities: { read: "READ" } }]]),
          ),
      ],
      [
        { kind: "role", name: "bad name" },
        () =>
          parseRoleDocument("kind: role\nname: bad name\n", {
            policyExists: () => true,
            roleInherits: () => undefined,
            policyNames: () => [],
            roleNames: () => [],
          }),
      ],
      [
        { kind: "bundle", prune: ["user"] },
        () =>
          readBundleDocument(
            new Map<string, unknown>([
              ["kind", "bundle"],
              ["prune", ["user"]],
            ]),
          ),
      ],
      [
        { kind: "ssoMappings", provider: "oidc", mappings: [{ group: "eng", role: "viewer", scop: "prod" }] },
        () =>
          readSsoMappingsDocument(
            new Map<string, unknown>([
              ["kind", "ssoMappings"],
              ["provider", "oidc"],
              [
                "mappings",
                [
                  new Map([
                    ["group", "eng"],
                    ["role", "viewer"],
                    ["scop", "prod"],
                  ]),
                ],
              ],
            ]),
          ),
      ],
    ];
    for (const [doc, read] of refusedByBoth) {
      expect(valid(doc), JSON.stringify(doc)).to.equal(false);
      expect(read, JSON.stringify(doc)).to.throw(ValidationError);
    }
  });
});
