// The console's operations (console/src/graphql/operations.graphql) are valid
// against the public schema it is served with (schema/schema.graphql), and the
// typed documents generated from both (console/src/graphql/generated.ts) are
// current: a renamed field or argument fails here, not in a user's browser.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import { buildSchema, Kind, parse, validate } from "graphql";

const root = join(__dirname, "..", "..", "..", "..");
const schema = buildSchema(readFileSync(join(root, "schema", "schema.graphql"), "utf8"));
const documents = parse(readFileSync(join(root, "console", "src", "graphql", "operations.graphql"), "utf8"));

interface Generator {
  generate(): Promise<string>;
  OUTPUT: string;
}

describe("the console's GraphQL operations", () => {
  it("are all found, each with a name", () => {
    const operations = documents.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations.length).to.be.greaterThan(30);
    expect(operations.filter((o) => !o.name)).to.deep.equal([]);
  });

  it("are valid against schema/schema.graphql", () => {
    expect(validate(schema, documents).map((e) => e.message)).to.deep.equal([]);
  });

  it("have their committed typed documents generated from the current schema and operations", async function () {
    this.timeout(30_000);
    const generator = (await import(pathToFileURL(join(root, "console", "codegen.mjs")).href)) as Generator;
    const committed = readFileSync(generator.OUTPUT, "utf8");
    expect(
      committed === (await generator.generate()),
      "console/src/graphql/generated.ts is stale: npm run build:console",
    ).to.equal(true);
  });
});
