// Every operation the console sends is valid against the public schema it is
// served with (schema/schema.graphql): a renamed field or argument fails here,
// not in a user's browser.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { buildSchema, parse, validate } from "graphql";
import * as operations from "../../../console/src/operations";

const schema = buildSchema(readFileSync(join(__dirname, "..", "..", "..", "..", "schema", "schema.graphql"), "utf8"));

describe("the console's GraphQL operations", () => {
  const documents: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(operations) as Array<[string, unknown]>)
    if (typeof value === "string" && /^(query|mutation|subscription)\b/.test(value)) documents.push([name, value]);

  it("are all found", () => {
    expect(documents.length).to.be.greaterThan(30);
  });

  for (const [name, text] of documents) {
    it(`${name} is valid against schema/schema.graphql`, () => {
      const errors = validate(schema, parse(text)).map((e) => e.message);
      expect(errors).to.deep.equal([]);
    });
  }
});
