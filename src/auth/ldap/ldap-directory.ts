// The directory side of an LDAP login, with ldapts: find the user's entry as
// the search account, prove the password by binding as that entry on a
// connection of its own, then read the user's groups (the memberOf-like
// attribute, or a group search, optionally following nesting). Every
// connection is TLS when configured so (ldaps:// or StartTLS) and closed
// before the login goes on.
import { Client, InvalidCredentialsError, type Entry } from "ldapts";
import type { LdapConfig } from "../../config";

export interface DirectoryUser {
  dn: string;
  email: string | null;
  displayName: string | null;
  groups: string[];
}

export type DirectoryAnswer =
  { ok: true; user: DirectoryUser } | { ok: false; failure: "unknown_user" | "ambiguous_user" | "bad_password" };

/** The directory could not be asked (unreachable, TLS refused, the search account refused): not the user's fault. */
export class DirectoryUnavailable extends Error {}

/** Nested groups are followed this many levels deep at most (a cycle stops earlier). */
const MAX_NESTING = 10;

export class LdapDirectory {
  constructor(private readonly config: LdapConfig) {}

  async authenticate(username: string, password: string): Promise<DirectoryAnswer> {
    return this.session(async (search) => {
      await this.bindSearchAccount(search);
      const found = await this.find(search, this.config.userSearchBase, fill(this.config.userFilter, { username }), [
        ...this.config.emailAttributes,
        ...this.config.displayNameAttributes,
        this.config.groupsAttribute,
      ]);
      if (found.length === 0) return { ok: false, failure: "unknown_user" };
      if (found.length > 1) return { ok: false, failure: "ambiguous_user" };
      const entry = found[0];
      if (!(await this.passwordMatches(entry.dn, password))) return { ok: false, failure: "bad_password" };
      return {
        ok: true,
        user: {
          dn: entry.dn,
          email: firstOf(entry, this.config.emailAttributes),
          displayName: firstOf(entry, this.config.displayNameAttributes),
          groups: await this.groupsOf(search, entry, username),
        },
      };
    });
  }

  /** A bind as the user on a connection of its own: the search connection keeps the search account's rights. */
  private async passwordMatches(dn: string, password: string): Promise<boolean> {
    return this.session(async (client) => {
      try {
        await client.bind(dn, password);
        return true;
      } catch (err) {
        if (err instanceof InvalidCredentialsError) return false;
        throw err;
      }
    });
  }

  private async groupsOf(search: Client, user: Entry, username: string): Promise<string[]> {
    const { groupSearchBase, groupFilter, groupNameAttribute, nestedGroups } = this.config;
    if (groupSearchBase === null)
      return unique(valuesOf(user, this.config.groupsAttribute).map((dn) => rdnValue(dn, groupNameAttribute)));
    const names = new Set<string>();
    const seen = new Set<string>();
    let members = [user.dn];
    for (let depth = 0; members.length > 0 && depth < (nestedGroups ? MAX_NESTING : 1); depth++) {
      const next: string[] = [];
      for (const dn of members) {
        const groups = await this.find(search, groupSearchBase, fill(groupFilter, { dn, username }), [
          groupNameAttribute,
        ]);
        for (const group of groups) {
          const key = group.dn.toLowerCase();
          if (seen.has(key)) continue;
          seen.add(key);
          names.add(firstOf(group, [groupNameAttribute]) ?? rdnValue(group.dn, groupNameAttribute));
          next.push(group.dn);
        }
      }
      members = next;
    }
    return [...names];
  }

  private async bindSearchAccount(client: Client): Promise<void> {
    if (this.config.bindDn === null) return;
    try {
      await client.bind(this.config.bindDn, this.config.bindPassword!);
    } catch (err) {
      throw new DirectoryUnavailable(
        err instanceof InvalidCredentialsError
          ? "the directory refused LDAP_BIND_DN's password"
          : `the search account could not bind: ${(err as Error).message}`,
      );
    }
  }

  private async find(client: Client, base: string, filter: string, attributes: string[]): Promise<Entry[]> {
    const { searchEntries } = await client.search(base, { scope: "sub", filter, attributes, sizeLimit: 200 });
    return searchEntries;
  }

  /** Opens a connection (TLS as configured), runs `work`, always unbinds. */
  private async session<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const tlsOptions = this.config.tlsCa === null ? {} : { ca: this.config.tlsCa };
    const client = new Client({
      url: this.config.url,
      timeout: this.config.timeoutMs,
      connectTimeout: this.config.timeoutMs,
      // Only for ldaps://: given to the client, ldapts would also apply them to StartTLS's socket and fail it.
      ...(this.config.url.startsWith("ldaps:") ? { tlsOptions } : {}),
      strictDN: false,
    });
    try {
      if (this.config.startTls) await client.startTLS(tlsOptions);
      return await work(client);
    } catch (err) {
      if (err instanceof DirectoryUnavailable) throw err;
      throw new DirectoryUnavailable(`${this.config.url}: ${(err as Error).message}`);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
}

/** RFC 4515: a value placed into a filter has its special characters escaped. */
export function escapeFilterValue(raw: string): string {
  return raw.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function fill(filter: string, values: { username: string; dn?: string }): string {
  return filter
    .replaceAll("{{username}}", escapeFilterValue(values.username))
    .replaceAll("{{dn}}", escapeFilterValue(values.dn ?? ""));
}

function valuesOf(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const raw = key === undefined ? [] : entry[key];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString("utf8") : v).trim()).filter((v) => v !== "");
}

function firstOf(entry: Entry, attributes: string[]): string | null {
  for (const attribute of attributes) {
    const [first] = valuesOf(entry, attribute);
    if (first !== undefined) return first;
  }
  return null;
}

/** `cn=admins,ou=groups,…` → `admins` when the first RDN is the name attribute; the whole DN otherwise. */
function rdnValue(dn: string, attribute: string): string {
  const m = /^\s*([^=,]+)=((?:\\.|[^,])*)/.exec(dn);
  if (!m || m[1].trim().toLowerCase() !== attribute.toLowerCase()) return dn;
  return m[2].replace(/\\(.)/g, "$1").trim();
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
