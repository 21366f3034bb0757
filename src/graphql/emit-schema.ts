// Writes the SDL the server serves to schema/schema.graphql (run by `npm run build`).
// The committed file is checked against this output by test/unit/graphql/schema-drift.test.ts.
import "reflect-metadata";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { lexicographicSortSchema, printSchema } from "graphql";
import { buildGraphQLSchema } from "./schema";

export function emittedSchema(): string {
  return printSchema(lexicographicSortSchema(buildGraphQLSchema())) + "\n";
}

if (require.main === module) {
  const dir = join(__dirname, "..", "..", "..", "schema");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "schema.graphql"), emittedSchema());
}
