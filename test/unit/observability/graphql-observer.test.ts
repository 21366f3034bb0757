import { expect } from "chai";
import { buildSchema, getOperationAST, parse } from "graphql";
import { operationLabel, rootFieldNames } from "../../../src/observability/graphql-observer";
import { REQUEST_ID } from "../../../src/observability/access-log";

const schema = buildSchema(`
  type Query { can(action: String): Boolean, me: String }
  type Mutation { grantRole(role: String): Boolean }
  type Subscription { auditEvents: String }
`);
const roots = rootFieldNames(schema);
const label = (document: string, name?: string) => operationLabel(getOperationAST(parse(document), name), roots);

describe("GraphQL operation labels", () => {
  it("are the schema's root fields", () => {
    expect([...roots].sort()).to.deep.equal(["auditEvents", "can", "grantRole", "me"]);
  });

  it("name the one root field a request selects, whatever the client calls the operation or aliases it", () => {
    expect(label('query AnythingAtAll { can(action: "x") }')).to.equal("can");
    expect(label('{ a: can(action: "x") b: can(action: "y") __typename }')).to.equal("can");
    expect(label('mutation { grantRole(role: "r") }')).to.equal("grantRole");
    expect(label("query A { me } query B { can }", "B")).to.equal("can");
  });

  it("are 'other' for several root fields, fragments, unknown fields and no operation", () => {
    expect(label("{ can me }")).to.equal("other");
    expect(label("{ ...F } fragment F on Query { me }")).to.equal("other");
    expect(label("{ userSuppliedName }")).to.equal("other");
    expect(label("{ __typename }")).to.equal("other");
    expect(operationLabel(null, roots)).to.equal("other");
  });
});

describe("inbound request ids", () => {
  it("are kept when they are 1 to 128 of A-Z a-z 0-9 . _ : -", () => {
    for (const ok of ["a", "req-1", "trace.id:42_x", "x".repeat(128), "0f8fad5b-d9cb-469f-a165-70867728950e"])
      expect(REQUEST_ID.test(ok), ok).to.equal(true);
    for (const bad of ["", "x".repeat(129), "has space", "new\nline", 'quote"', "slash/", "ünï"])
      expect(REQUEST_ID.test(bad), bad).to.equal(false);
  });
});
