import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { buildSchema, getNamedType, GraphQLObjectType, isObjectType, type GraphQLSchema } from "graphql";
import { FIELD_GUARD_TABLE, GUARD_TABLE, PRINCIPAL_TYPES } from "../../../src/graphql/guard/guard-table";
import { buildGraphQLSchema } from "../../../src/graphql/schema";

/** The schema as committed to the repository (held to the public API by schema-drift.test.ts). */
const COMMITTED_SCHEMA = join(__dirname, "..", "..", "..", "..", "schema", "schema.graphql");

function rootFields(schema: GraphQLSchema): string[] {
  return (["Query", "Mutation", "Subscription"] as const).flatMap((root) => {
    const type = schema.getType(root);
    return type instanceof GraphQLObjectType ? Object.keys(type.getFields()).map((f) => `${root}.${f}`) : [];
  });
}

/**
 * Types carrying a principal's data: the table's list, and whatever a future
 * type's name says it is (sessions, access requests and their reviews).
 */
const isPrincipalType = (name: string) =>
  (PRINCIPAL_TYPES as readonly string[]).includes(name) ||
  /^(User|Token|Grant)$|Session|AccessRequest|Review|Member/.test(name);

/** `Type.field` for every object field (roots excluded) returning a principal type or a list of them. */
function principalFields(schema: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__") || ["Query", "Mutation", "Subscription"].includes(type.name))
      continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (isObjectType(named) && isPrincipalType(named.name)) out.push(`${type.name}.${field.name}`);
    }
  }
  return out;
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

  it("guards every object field of the served schema that returns a principal's data (users, tokens, grants, sessions…)", () => {
    const fields = principalFields(buildGraphQLSchema());
    expect(fields, "the walk finds the fields it is about").to.include.members([
      "User.tokens",
      "User.grants",
      "Token.owner",
      "Grant.user",
      "Grant.createdBy",
    ]);
    const missing = fields.filter((f) => {
      const [type, field] = f.split(".") as [string, string];
      return FIELD_GUARD_TABLE[type]?.[field] === undefined;
    });
    expect(missing, "fields reaching a principal's data without an entry in FIELD_GUARD_TABLE").to.deep.equal([]);
  });

  it("has object-field entries only for fields that exist", () => {
    const schema = buildGraphQLSchema();
    for (const [type, fields] of Object.entries(FIELD_GUARD_TABLE)) {
      const object = schema.getType(type);
      expect(object instanceof GraphQLObjectType, type).to.equal(true);
      for (const field of Object.keys(fields))
        expect((object as GraphQLObjectType).getFields()[field], `${type}.${field}`).to.not.equal(undefined);
    }
  });

  it("names only capabilities of the server's own types", () => {
    const system = new Set([
      "user",
      "role",
      "policy",
      "grant",
      "token",
      "audit",
      "sso",
      "access_request",
      "resource_type",
      "permission",
    ]);
    for (const fields of [...Object.values(GUARD_TABLE), ...Object.values(FIELD_GUARD_TABLE)]) {
      for (const [field, entry] of Object.entries(fields)) {
        if (entry.kind !== "check") continue;
        const [type, capability] = entry.capability.split(":");
        expect(system.has(type), `${field}: ${entry.capability}`).to.equal(true);
        expect(capability, field).to.match(/^[a-z_]+$/);
      }
    }
  });
});
