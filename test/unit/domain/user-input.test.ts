// Emails and display names are stored in one normal form (NFKC, emails lower
// case) and refused when they hold invisible or control characters, so two
// accounts cannot look alike and a lookup finds what was stored.
import { expect } from "chai";
import { DomainError } from "../../../src/domain/errors";
import { checkEmail, checkText, normalizeEmail } from "../../../src/domain/users/user-input";

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (err) {
    expect(err).to.be.instanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error("accepted");
}

describe("user input", () => {
  describe("checkEmail", () => {
    for (const [what, email] of [
      ["a zero-width space", "ad\u200bmin@portcullis.local"],
      ["a zero-width joiner", "ad\u200dmin@portcullis.local"],
      ["a right-to-left override", "admin\u202e@portcullis.local"],
      ["a byte-order mark", "\ufeffadmin@portcullis.local"],
      ["a soft hyphen", "ad\u00admin@portcullis.local"],
      ["a control character", "ad\u0007min@portcullis.local"],
    ] as const) {
      it(`refuses ${what} at the field`, () => {
        const err = refusal(() => checkEmail(email, "input.email"));
        expect(err.code).to.equal("BAD_USER_INPUT");
        expect(err.details.field).to.equal("input.email");
      });
    }

    it("folds fullwidth letters and upper case to the plain address", () => {
      expect(checkEmail("\uff21\uff44\uff4d\uff49\uff4e@Portcullis.Local", "input.email")).to.equal(
        "admin@portcullis.local",
      );
    });

    it("normalizeEmail gives lookups the stored form", () => {
      expect(normalizeEmail("\uff41dmin@PORTCULLIS.local")).to.equal(checkEmail("admin@portcullis.local", "e"));
    });
  });

  describe("checkText (display names)", () => {
    it("refuses zero-width and bidi-control characters", () => {
      expect(refusal(() => checkText("Ad\u200bmin", "input.displayName")).details.field).to.equal("input.displayName");
      expect(refusal(() => checkText("Admin\u2067", "input.displayName")).code).to.equal("BAD_USER_INPUT");
    });

    it("stores NFKC: fullwidth letters become plain ones", () => {
      expect(checkText("\uff21dmin", "input.displayName")).to.equal("Admin");
    });

    it("keeps ordinary names, accents included", () => {
      expect(checkText("Zoë Ångström-Núñez", "input.displayName")).to.equal("Zoë Ångström-Núñez");
    });
  });
});
