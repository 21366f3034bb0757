// A real OpenLDAP server for the LDAP tests: Debian's slapd on free loopback
// ports (ldap:// with StartTLS, and ldaps://), a certificate from a CA made
// with openssl for this run only, a temporary mdb directory seeded through
// ldapts, the memberof overlay keeping memberOf up to date. Stopped and
// removed by close().
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Attribute, Change, Client } from "ldapts";
import { freePort } from "./oidc-flows";

export const SLAPD = ["/usr/sbin/slapd", "/usr/local/libexec/slapd"].find((path) => existsSync(path)) ?? null;
export const BASE_DN = "dc=example,dc=test";
export const PEOPLE = `ou=people,${BASE_DN}`;
export const GROUPS = `ou=groups,${BASE_DN}`;
export const ADMIN_DN = `cn=admin,${BASE_DN}`;
export const SEARCH_DN = `cn=portcullis,${BASE_DN}`;
export const SEARCH_PASSWORD = "search-account-password";
const ADMIN_PASSWORD = "admin-password";

export interface LdapUser {
  uid: string;
  password: string;
  mail?: string;
  displayName?: string;
}

export interface TestLdap {
  /** ldap://127.0.0.1:PORT (StartTLS offered). */
  url: string;
  /** ldaps://localhost:PORT. */
  ldapsUrl: string;
  /** The test CA's certificate file, for LDAP_TLS_CA_FILE. */
  caFile: string;
  /** The environment for a server that logs in against this directory (group search, plain ldap://). */
  env(extra?: Record<string, string>): Record<string, string>;
  addUser(user: LdapUser): Promise<string>;
  /** Creates the group if needed and sets its members to exactly `uids`. */
  setGroup(name: string, uids: string[], groups?: string[]): Promise<void>;
  close(): Promise<void>;
}

export function userDn(uid: string): string {
  return `uid=${uid},${PEOPLE}`;
}

export function groupDn(name: string): string {
  return `cn=${name},${GROUPS}`;
}

export async function startLdap(): Promise<TestLdap> {
  if (SLAPD === null) throw new Error("slapd is not installed (apt-get install slapd ldap-utils)");
  const dir = mkdtempSync(join(tmpdir(), "portcullis-slapd-"));
  mkdirSync(join(dir, "db"));
  makeCertificates(dir);
  const [port, ldapsPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, "slapd.conf"), slapdConf(dir));
  const child = spawn(
    SLAPD,
    ["-f", join(dir, "slapd.conf"), "-h", `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${ldapsPort}/`, "-d", "0"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const url = `ldap://127.0.0.1:${port}`;
  await waitUntilUp(url, child, () => stderr);
  const admin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ url });
    try {
      await client.bind(ADMIN_DN, ADMIN_PASSWORD);
      return await work(client);
    } finally {
      await client.unbind();
    }
  };
  await admin(async (client) => {
    await client.add(BASE_DN, { objectClass: ["dcObject", "organization"], o: "Example", dc: "example" });
    await client.add(PEOPLE, { objectClass: "organizationalUnit", ou: "people" });
    await client.add(GROUPS, { objectClass: "organizationalUnit", ou: "groups" });
    await client.add(SEARCH_DN, {
      objectClass: ["organizationalRole", "simpleSecurityObject"],
      cn: "portcullis",
      userPassword: SEARCH_PASSWORD,
    });
  });
  return {
    url,
    ldapsUrl: `ldaps://localhost:${ldapsPort}`,
    caFile: join(dir, "ca.crt"),
    env: (extra = {}) => ({
      LDAP_URL: url,
      LDAP_BIND_DN: SEARCH_DN,
      LDAP_BIND_PASSWORD: SEARCH_PASSWORD,
      LDAP_USER_SEARCH_BASE: PEOPLE,
      LDAP_GROUP_SEARCH_BASE: GROUPS,
      ...extra,
    }),
    addUser: (user) =>
      admin(async (client) => {
        const dn = userDn(user.uid);
        await client.add(dn, {
          objectClass: "inetOrgPerson",
          uid: user.uid,
          cn: user.displayName ?? user.uid,
          sn: user.uid,
          ...(user.displayName ? { displayName: user.displayName } : {}),
          ...(user.mail ? { mail: user.mail } : {}),
          userPassword: user.password,
        });
        return dn;
      }),
    setGroup: (name, uids, groups = []) =>
      admin(async (client) => {
        const members = [...uids.map(userDn), ...groups.map(groupDn)];
        // groupOfNames needs a member: the group itself stands in for "nobody".
        const values = members.length > 0 ? members : [groupDn(name)];
        const { searchEntries } = await client.search(GROUPS, { filter: `(cn=${name})`, scope: "one" });
        if (searchEntries.length === 0)
          await client.add(groupDn(name), { objectClass: "groupOfNames", cn: name, member: values });
        else
          await client.modify(
            groupDn(name),
            new Change({ operation: "replace", modification: new Attribute({ type: "member", values }) }),
          );
      }),
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=portcullis test LDAP CA",
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=localhost",
  );
  writeFileSync(join(dir, "san.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.crt",
    "-days",
    "2",
    "-extfile",
    "san.cnf",
  );
}

function slapdConf(dir: string): string {
  return [
    ...["core", "cosine", "inetorgperson", "nis"].map((s) => `include /etc/ldap/schema/${s}.schema`),
    "modulepath /usr/lib/ldap",
    "moduleload back_mdb",
    "moduleload memberof",
    `pidfile ${join(dir, "slapd.pid")}`,
    `TLSCACertificateFile ${join(dir, "ca.crt")}`,
    `TLSCertificateFile ${join(dir, "server.crt")}`,
    `TLSCertificateKeyFile ${join(dir, "server.key")}`,
    "database mdb",
    `suffix "${BASE_DN}"`,
    `rootdn "${ADMIN_DN}"`,
    `rootpw ${ADMIN_PASSWORD}`,
    `directory ${join(dir, "db")}`,
    "maxsize 104857600",
    "overlay memberof",
    "access to attrs=userPassword by self read by anonymous auth by * none",
    "access to * by users read by anonymous auth",
    "",
  ].join("\n");
}

async function waitUntilUp(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}: ${stderr().slice(-2000)}`);
    const client = new Client({ url, connectTimeout: 500 });
    try {
      await client.bind(ADMIN_DN, ADMIN_PASSWORD);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
  throw new Error(`slapd did not answer on ${url}: ${stderr().slice(-2000)}`);
}
