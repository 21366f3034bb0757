// The filters portcullis serves (RFC 7644 §3.4.2.2): one attribute compared with
// `eq` to a quoted string, which is what identity providers send to look up a
// user or group before creating it. Anything else is refused with invalidFilter
// rather than ignored: an ignored filter would answer with every resource.
import { ScimError } from "./scim-error";

export interface EqFilter {
  /** As the server spells it (`userName`), whatever case the client used. */
  attribute: string;
  value: string;
}

const MAX_FILTER_LENGTH = 1024;

/**
 * Parses `attr eq "value"` for one of `attributes` (names compared ignoring
 * case, RFC 7643 §2.1). The value is a JSON string: `\"` and `\\` escapes work.
 */
export function parseEqFilter(filter: string, attributes: readonly string[]): EqFilter {
  const refuse = (why: string) =>
    new ScimError(
      400,
      `filter: ${why}; supported: ${attributes.map((a) => `${a} eq "…"`).join(", ")}`,
      "invalidFilter",
    );
  if (filter.length > MAX_FILTER_LENGTH) throw refuse(`longer than ${MAX_FILTER_LENGTH} characters`);
  const match = /^\s*([A-Za-z][\w.:-]*)\s+([A-Za-z]+)\s+("(?:[^"\\]|\\.)*")\s*$/.exec(filter);
  if (!match) {
    const operator = /^\s*[A-Za-z][\w.:-]*\s+([A-Za-z]+)\b/.exec(filter)?.[1];
    if (operator && operator.toLowerCase() !== "eq") throw refuse(`operator '${operator}' is not supported`);
    throw refuse(`'${filter}' is not of the form attribute eq "value"`);
  }
  const [, name, operator, quoted] = match as unknown as [string, string, string, string];
  if (operator.toLowerCase() !== "eq") throw refuse(`operator '${operator}' is not supported`);
  const attribute = attributes.find((a) => a.toLowerCase() === name.toLowerCase());
  if (!attribute) throw refuse(`attribute '${name}' cannot be filtered on`);
  let value: unknown;
  try {
    value = JSON.parse(quoted);
  } catch {
    throw refuse(`${quoted} is not a valid quoted string`);
  }
  return { attribute, value: value as string };
}
