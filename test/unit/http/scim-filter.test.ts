import { expect } from "chai";
import { ScimError } from "../../../src/http/scim/scim-error";
import { parseEqFilter } from "../../../src/http/scim/scim-filter";
import { groupId, groupName } from "../../../src/http/scim/scim-group.mapper";

const USER_ATTRIBUTES = ["userName", "externalId"];

function refused(filter: string): ScimError {
  try {
    parseEqFilter(filter, USER_ATTRIBUTES);
  } catch (err) {
    expect(err).to.be.instanceOf(ScimError);
    expect((err as ScimError).scimType).to.equal("invalidFilter");
    expect((err as ScimError).status).to.equal(400);
    return err as ScimError;
  }
  throw new Error(`expected ${filter} to be refused`);
}

describe("parseEqFilter", () => {
  it('reads attribute eq "value", names in any case, spelled back as the server spells them', () => {
    expect(parseEqFilter('userName eq "ada@example.com"', USER_ATTRIBUTES)).to.deep.equal({
      attribute: "userName",
      value: "ada@example.com",
    });
    expect(parseEqFilter('  USERNAME EQ "x"  ', USER_ATTRIBUTES)).to.deep.equal({ attribute: "userName", value: "x" });
  });

  it("unescapes quotes, backslashes and unicode escapes in the value, and keeps spaces and brackets", () => {
    expect(parseEqFilter('externalId eq "a \\"b\\" \\\\ c"', USER_ATTRIBUTES).value).to.equal('a "b" \\ c');
    expect(parseEqFilter('externalId eq "\\u00e9 [x] and y"', USER_ATTRIBUTES).value).to.equal("é [x] and y");
    expect(parseEqFilter('externalId eq ""', USER_ATTRIBUTES).value).to.equal("");
  });

  it("refuses other operators, naming them", () => {
    expect(refused('userName sw "a"').message).to.contain("operator 'sw'");
    expect(refused("userName pr").message).to.contain("operator 'pr'");
    expect(refused("userName").message).to.contain("not of the form");
  });

  it("refuses other attributes, logical expressions, unquoted and badly quoted values", () => {
    expect(refused('emails eq "a"').message).to.contain("attribute 'emails'");
    refused('userName eq "a" or userName eq "b"');
    refused("userName eq a");
    refused('userName eq "a');
    refused('userName eq "a\\x"');
    refused("active eq true");
    refused("");
  });

  it("names what is supported in the message", () => {
    expect(refused("x").message).to.contain('userName eq "…", externalId eq "…"');
  });
});

describe("SCIM group ids", () => {
  it("are the name in base64url, and give the name back", () => {
    for (const name of ["eng", "Eng Team/é ✓", "a+b/c==", "x".repeat(255)]) {
      const id = groupId(name);
      expect(id).to.match(/^[A-Za-z0-9_-]+$/);
      expect(groupName(id)).to.equal(name);
    }
  });

  it("refuse ids this server does not give out", () => {
    expect(groupName("not!an!id")).to.equal(null);
    expect(groupName("Zm9v=")).to.equal(null);
    expect(groupName("Zm9vx")).to.equal(null);
  });
});
