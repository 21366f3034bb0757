// Validates GraphQL documents against the emitted schema/schema.graphql.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { buildSchema, parse, validate, type GraphQLSchema } from "graphql";

export function emittedSchema(): GraphQLSchema {
  return buildSchema(readFileSync(join(__dirname, "..", "..", "..", "schema", "schema.graphql"), "utf8"));
}

/** Fails with graphql-js's messages when `document` is not valid, or when its operation is not called `name`. */
export function expectValid(schema: GraphQLSchema, name: string, document: string): void {
  const ast = parse(document);
  expect(
    validate(schema, ast).map((e) => e.message),
    name,
  ).to.deep.equal([]);
  expect(
    (ast.definitions[0] as { name?: { value: string } }).name?.value,
    "the operation is named after its key",
  ).to.equal(name);
}
