import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { emittedSchema } from "../../../src/graphql/emit-schema";

describe("schema/schema.graphql", () => {
  it("is exactly what the code emits (run `npm run build` and commit it)", () => {
    const committed = readFileSync(join(__dirname, "..", "..", "..", "..", "schema", "schema.graphql"), "utf8");
    expect(committed === emittedSchema(), "schema/schema.graphql is stale").to.equal(true);
  });

  it("names its scalars DateTime and JSON as the contract does", () => {
    const sdl = emittedSchema();
    expect(sdl).to.match(/^scalar DateTime$/m);
    expect(sdl).to.match(/^scalar JSON\b/m);
    expect(sdl).to.not.match(/DateTimeISO|Timestamp/);
  });
});
