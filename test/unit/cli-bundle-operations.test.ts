// The bundle operation of the command line (applyBundle with its plan) against the emitted schema.
import { BUNDLE_OPERATIONS } from "../../src/cli/operations-bundles";
import { emittedSchema, expectValid } from "../support/schema-documents";

describe("command-line bundle operations", () => {
  const schema = emittedSchema();
  for (const [name, document] of Object.entries(BUNDLE_OPERATIONS)) {
    it(`${name} is valid against schema/schema.graphql`, () => expectValid(schema, name, document));
  }
});
