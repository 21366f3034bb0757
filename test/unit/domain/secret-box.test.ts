import { expect } from "chai";
import { SecretBox } from "../../../src/domain/credentials/secret-box";

describe("SecretBox", () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it("opens what it sealed, and seals the same secret differently each time", () => {
    const a = box.seal("JBSWY3DPEHPK3PXP", "user-1");
    const b = box.seal("JBSWY3DPEHPK3PXP", "user-1");
    expect(a).to.match(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).to.not.equal(b);
    expect(a).to.not.include("JBSWY3DPEHPK3PXP");
    expect(box.open(a, "user-1")).to.equal("JBSWY3DPEHPK3PXP");
  });

  it("refuses to open a value bound to someone else, altered, or sealed with another key", () => {
    const sealed = box.seal("JBSWY3DPEHPK3PXP", "user-1");
    expect(() => box.open(sealed, "user-2")).to.throw();
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3], "base64url");
    body[0] = body[0] ^ 1;
    expect(() => box.open([...parts.slice(0, 3), body.toString("base64url")].join("."), "user-1")).to.throw();
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed, "user-1")).to.throw();
    expect(() => box.open("plain", "user-1")).to.throw("not a sealed secret");
  });

  it("needs a 32-byte key", () => {
    expect(() => new SecretBox(Buffer.alloc(16))).to.throw(RangeError);
  });
});
