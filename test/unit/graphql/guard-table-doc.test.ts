import { existsSync, readFileSync } from "node:fs";
import { expect } from "chai";
import {
  argumentsRead,
  emittedGuardTableDoc,
  guardTables,
  entryNotes,
  GUARD_TABLE_DOC,
  guardTableMarkdown,
} from "../../../src/graphql/guard/guard-table-doc";

/** The arguments these name functions read (the document only sees their compiled source). */
type Args = { id?: string; name?: string; document?: string; input?: { userId?: string; email?: string } };

describe("docs/guard-table.md", () => {
  it("is what `npm run docs:guard` writes from the guard table", () => {
    expect(existsSync(GUARD_TABLE_DOC), "docs/guard-table.md is missing: run npm run docs:guard").to.equal(true);
    const committed = readFileSync(GUARD_TABLE_DOC, "utf8");
    expect(
      committed === emittedGuardTableDoc(),
      "docs/guard-table.md is stale: run npm run docs:guard and commit it",
    ).to.equal(true);
  });

  it("writes every type of the table, and entries of kinds it does not know", () => {
    const text = guardTableMarkdown(
      {
        Query: { me: { kind: "always" }, users: { kind: "check", capability: "user:list" } },
        User: {
          tokens: {
            kind: "check",
            capability: "token:list",
            name: (a: Args) => String(a.input?.userId),
            self: () => true,
          },
          odd: { kind: "parent", capability: "x:y", pick: () => "" },
        },
      },
      new Map([["User.tokens", "a note | with a pipe"]]),
    );
    expect(text).to.contain("## Query");
    expect(text).to.contain("| `users` | `user:list` | empty | no |  |");
    expect(text).to.contain("## User");
    expect(text).to.contain(
      "| `tokens` | `token:list` | from `input.userId` | yes, when the call concerns only the caller | a note \\| with a pipe |",
    );
    expect(text).to.contain('| `odd` | `kind: "parent", capability: "x:y"` | computed: pick |');
  });

  it("finds every exported table, object-field tables included, and merges them by type", () => {
    const tables = guardTables({
      helper: () => 1,
      OBJECT_FIELDS: {
        User: { tokens: { kind: "check", capability: "token:list" } },
        Query: { extra: { kind: "always" } },
      },
      GUARD_TABLE: { Query: { me: { kind: "always" } }, Mutation: { x: { kind: "resolver" } } },
      LIMITS: { max: 5 },
    });
    expect(Object.keys(tables)).to.deep.equal(["Query", "Mutation", "User"]);
    expect(Object.keys(tables.Query)).to.deep.equal(["me", "extra"]);
  });

  it("names the arguments a name function reads", () => {
    expect(argumentsRead((a: Args) => String(a.name))).to.deep.equal(["name"]);
    expect(
      argumentsRead((a: Args, c: { f(...values: unknown[]): unknown }) => c.f(a.id, a.input?.email)),
    ).to.deep.equal(["id", "input.email"]);
    expect(
      argumentsRead(function documentName(args: Args) {
        return String(args.document);
      }),
    ).to.deep.equal(["document"]);
  });

  it("takes the comments written right above an entry as its note", () => {
    const source = [
      "export const GUARD_TABLE = {",
      "  Query: {",
      "    // first line",
      "    // second line",
      '    users: { kind: "check" },',
      '    me: { kind: "always" },',
      "  },",
      "  User: {",
      "    // about grants",
      '    grants: { kind: "check" },',
      "  },",
      "};",
    ].join("\n");
    expect([...entryNotes(source)]).to.deep.equal([
      ["Query.users", "first line second line"],
      ["User.grants", "about grants"],
    ]);
  });
});
