// Every GraphQL document the command line sends must be valid against the
// emitted schema: a renamed or dropped field fails here, not in a user's terminal.
import { expect } from "chai";
import { parse, validate } from "graphql";
import { OPERATIONS } from "../../src/cli/operations";
import { emittedSchema, expectValid } from "../support/schema-documents";

describe("command-line GraphQL operations", () => {
  const schema = emittedSchema();
  for (const [name, document] of Object.entries(OPERATIONS)) {
    it(`${name} is valid against schema/schema.graphql`, () => expectValid(schema, name, document));
  }

  it("a document naming a field the schema lacks is refused (the check can fail)", () => {
    expect(validate(schema, parse("query Broken { me { emailAddress } }"))).to.have.length(1);
  });
});
