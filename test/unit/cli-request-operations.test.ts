// The access-request operations of the command line against the emitted schema
// (requestAccess, accessRequests, reviewAccessRequest, cancelAccessRequest).
import { REQUEST_OPERATIONS } from "../../src/cli/operations-requests";
import { emittedSchema, expectValid } from "../support/schema-documents";

describe("command-line access-request operations", () => {
  const schema = emittedSchema();
  for (const [name, document] of Object.entries(REQUEST_OPERATIONS)) {
    it(`${name} is valid against schema/schema.graphql`, () => expectValid(schema, name, document));
  }
});
