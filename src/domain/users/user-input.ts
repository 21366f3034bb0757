// Validation of what callers send about users: every problem names its field,
// and nothing is written until all of it passes.
import { badInput } from "../errors";

/** Column widths: names and reasons longer than this cannot be stored. */
export const MAX_NAME_LENGTH = 255;
/** RFC 5321 limits a forward path to 256 octets, 254 characters of address. */
const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART = 64;
const CONTROL = /\p{Cc}/u;
/**
 * Characters that render as nothing or reorder what follows: format characters
 * (zero-width space and joiners, bidi controls, BOM, soft hyphen), line and
 * paragraph separators. Two names that differ only by them look the same.
 */
const INVISIBLE = /[\p{Cf}\u2028\u2029]/u;
const LOCAL_PART = /^[^\s@"()<>,;:\\[\]]+$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

/**
 * The form addresses are stored and looked up in: Unicode NFKC (fullwidth and
 * other compatibility forms fold to plain letters), then lower case. Every
 * lookup by email goes through this, so it finds what checkEmail stored.
 */
export function normalizeEmail(email: string): string {
  return email.normalize("NFKC").toLowerCase();
}

/**
 * Text as stored for names shown to people (display names, reasons): NFKC, and
 * refused when it holds control or invisible characters. Tab and newline count
 * as control characters only where `allowLineBreaks` is false.
 */
function textProblem(text: string, allowLineBreaks: boolean): string | null {
  if (CONTROL.test(allowLineBreaks ? text.replace(/[\t\n]/g, " ") : text)) return "must not contain control characters";
  if (INVISIBLE.test(text)) return "must not contain invisible characters (zero-width, bidi controls, separators)";
  return null;
}

/** The address as stored (normalizeEmail); BAD_USER_INPUT at `field` when it is not an email address. */
export function checkEmail(raw: string, field: string): string {
  const invisible = textProblem(raw, false);
  if (invisible !== null) throw badInput(field, `'${JSON.stringify(raw).slice(1, -1).slice(0, 120)}' ${invisible}`);
  const email = normalizeEmail(raw);
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const problem =
    email.length > MAX_EMAIL_LENGTH
      ? `must be at most ${MAX_EMAIL_LENGTH} characters`
      : at <= 0 || domain === ""
        ? "must look like name@example.com"
        : local.length > MAX_LOCAL_PART
          ? `the part before '@' must be at most ${MAX_LOCAL_PART} characters`
          : CONTROL.test(email) || !LOCAL_PART.test(local)
            ? "the part before '@' has a character an address cannot have (spaces, quotes, '@'…)"
            : !domain.split(".").every((label) => DOMAIN_LABEL.test(label))
              ? `'${domain}' is not a domain name`
              : null;
  if (problem !== null) throw badInput(field, problem);
  return email;
}

/** Why `name` cannot be a group name, or null: non-empty, at most 255 characters, no control characters. */
export function groupNameProblem(name: string): string | null {
  if (name.trim() === "") return "a group name must not be empty";
  if (name.length > MAX_NAME_LENGTH) return `a group name must be at most ${MAX_NAME_LENGTH} characters`;
  if (CONTROL.test(name)) return "a group name must not contain control characters";
  return null;
}

/** Validated group names, duplicates collapsed, in first-seen order. */
export function checkGroups(groups: readonly string[], field: string): string[] {
  groups.forEach((g, i) => {
    const problem = groupNameProblem(g);
    if (problem !== null) throw badInput(`${field}[${i}]`, problem);
  });
  return [...new Set(groups)];
}

/** Free text that ends up in a bounded column (display name, lock reason), in NFKC. */
export function checkText(raw: string | null | undefined, field: string, max = MAX_NAME_LENGTH): string | null {
  if (raw == null) return null;
  const problem = textProblem(raw, true);
  if (problem !== null) throw badInput(field, problem);
  const text = raw.normalize("NFKC");
  if (text.length > max) throw badInput(field, `must be at most ${max} characters`);
  return text;
}

/** Role names, duplicates collapsed ignoring case (role names are unique ignoring case); each keeps its first index for errors. */
export function distinctRoleNames(roles: readonly string[]): Array<{ name: string; index: number }> {
  const seen = new Set<string>();
  const out: Array<{ name: string; index: number }> = [];
  roles.forEach((name, index) => {
    if (seen.has(name.toLowerCase())) return;
    seen.add(name.toLowerCase());
    out.push({ name, index });
  });
  return out;
}
