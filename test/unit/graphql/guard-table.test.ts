import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { buildSchema, GraphQLObjectType, type GraphQLSchema } from "graphql";
import { GUARD_TABLE } from "../../../src/graphql/guard/guard-table";
import { buildGraphQLSchema } from "../../../src/graphql/schema";

/** The schema as committed to the repository (held to the public API by schema-drift.test.ts). */
const COMMITTED_SCHEMA = join(__dirname, "..", "..", "..", "..", "schema", "schema.graphql");

function rootFields(schema: GraphQLSchema): string[] {
  return (["Query", "Mutation", "Subscription"] as const).flatMap((root) => {
    const type = schema.getType(root);
    return type instanceof GraphQLObjectType ? Object.keys(type.getFields()).map((f) => `${root}.${f}`) : [];
  });
}

const hasEntry = (path: string) => {
  const [root, field] = path.split(".") as ["Query" | "Mutation" | "Subscription", string];
  return GUARD_TABLE[root][field] !== undefined;
};

describe("the guard table", () => {
  it("has an entry for every root field the server serves", () => {
    const missing = rootFields(buildGraphQLSchema()).filter((f) => !hasEntry(f));
    expect(missing, "root fields without a guard entry are refused to everyone").to.deep.equal([]);
  });

  it("has an entry for every root field of the committed schema/schema.graphql", () => {
    const missing = rootFields(buildSchema(readFileSync(COMMITTED_SCHEMA, "utf8"))).filter((f) => !hasEntry(f));
    expect(missing).to.deep.equal([]);
  });

  it("names only capabilities of the server's own types", () => {
    const system = new Set(["user", "role", "policy", "grant", "token", "audit", "sso", "access_request", "resource_type", "permission"]);
    for (const fields of Object.values(GUARD_TABLE)) {
      for (const [field, entry] of Object.entries(fields)) {
        if (entry.kind !== "check") continue;
        const [type, capability] = entry.capability.split(":");
        expect(system.has(type!), `${field}: ${entry.capability}`).to.equal(true);
        expect(capability, field).to.match(/^[a-z_]+$/);
      }
    }
  });
});
