// First start on an empty database (docs/concepts.md): load the seeds, create the
// built-in admin user with the admin role, and a break-glass token for it.
import { randomUUID } from "node:crypto";
import type { RoleDoc } from "../engine/types";
import { generateSecret, hashSecret, checkSecret, secretHint, TOKEN_PREFIX } from "./credentials/secret-format";
import { DomainError } from "./errors";
import type { RoleRecord, TokenRecord } from "./model";
import type { Repositories, Storage } from "./ports/storage.port";
import type { SeedSet } from "./seeds/seed-loader";

export const BUILT_IN_ADMIN_ROLE = "admin";
export const BOOTSTRAP_TOKEN_NAME = "bootstrap break-glass";

export interface BootstrapOptions {
  adminEmail: string;
  /** A token secret to use instead of generating one (PORTCULLIS_BOOTSTRAP_TOKEN). */
  bootstrapToken: string | null;
  now?: Date;
}

export type BootstrapResult =
  | {
      created: true;
      adminId: string;
      tokenId: string;
      /** Set only when the secret was generated here: print it once. */ generatedSecret: string | null;
    }
  | { created: false; bootstrapTokenIgnored: boolean };

export function roleRecordFromDoc(
  doc: RoleDoc,
  document: string,
  base: { id: string; builtIn: boolean; version: number; createdAt: Date; updatedAt: Date },
): RoleRecord {
  return {
    ...base,
    name: doc.name,
    description: doc.description,
    superuser: doc.superuser,
    maxSessionTtlSeconds: doc.options.maxSessionTtlSeconds,
    requireSessionMfa: doc.options.requireSessionMfa,
    approvalsRequired: doc.request.approvals,
    denialsRequired: doc.request.denials,
    document,
    policies: doc.policies,
    inherits: doc.inherits,
    requestableRoles: doc.request.roles,
    reviewableRoles: doc.reviewRequests.roles,
  };
}

/** Roles ordered so that every role comes after the roles it refers to. */
function inDependencyOrder<T extends { doc: RoleDoc }>(roles: T[]): T[] {
  const byName = new Map(roles.map((r) => [r.doc.name.toLowerCase(), r]));
  const done = new Set<string>();
  const out: T[] = [];
  const visit = (r: T) => {
    const key = r.doc.name.toLowerCase();
    if (done.has(key)) return;
    done.add(key);
    for (const dep of [...r.doc.inherits, ...r.doc.request.roles, ...r.doc.reviewRequests.roles]) {
      const target = byName.get(dep.toLowerCase());
      if (target) visit(target);
    }
    out.push(r);
  };
  roles.forEach(visit);
  return out;
}

async function isEmpty(repos: Repositories): Promise<boolean> {
  return (await repos.users.count()) === 0 && (await repos.roles.all()).length === 0;
}

/**
 * Seeds an empty database in one transaction; on a database that is not empty it
 * changes nothing. A PORTCULLIS_BOOTSTRAP_TOKEN that is not a valid token secret
 * is refused before anything is written.
 */
/** The built-in admin's break-glass token: no roles of its own, no expiry, stored by hash only. */
export function bootstrapTokenRecord(ownerId: string, secret: string, at: Date): TokenRecord {
  return {
    id: randomUUID(),
    name: BOOTSTRAP_TOKEN_NAME,
    ownerId,
    secretHash: hashSecret(secret),
    hint: secretHint(secret),
    roles: [],
    boundCidrs: [],
    breakGlass: true,
    ttlSeconds: null,
    createdById: null,
    createdAt: at,
    expiresAt: null,
    lastUsedAt: null,
    lastUsedIp: null,
    revokedAt: null,
  };
}

export async function bootstrap(storage: Storage, seeds: SeedSet, options: BootstrapOptions): Promise<BootstrapResult> {
  if (options.bootstrapToken !== null) {
    const check = checkSecret(options.bootstrapToken, TOKEN_PREFIX);
    if (!check.ok) {
      throw new DomainError(
        "BAD_USER_INPUT",
        `PORTCULLIS_BOOTSTRAP_TOKEN: not a valid token secret (${check.problem === "checksum" ? "checksum does not match" : "expected ptc_ followed by 46 base62 characters"})`,
        { field: "PORTCULLIS_BOOTSTRAP_TOKEN" },
      );
    }
  }
  const now = options.now ?? new Date();
  return storage.exclusively("bootstrap", () => seedIfEmpty(storage, seeds, options, now));
}

async function seedIfEmpty(
  storage: Storage,
  seeds: SeedSet,
  options: BootstrapOptions,
  now: Date,
): Promise<BootstrapResult> {
  try {
    return await storage.transaction(async (repos) => {
      if (!(await isEmpty(repos))) return { created: false, bootstrapTokenIgnored: options.bootstrapToken !== null };
      for (const type of seeds.types) await repos.resourceTypes.save({ ...type, builtIn: true });
      for (const { doc, text } of seeds.policies) {
        await repos.policies.create(
          {
            id: randomUUID(),
            name: doc.name,
            description: doc.description,
            version: 1,
            builtIn: true,
            document: text,
            createdAt: now,
            updatedAt: now,
          },
          null,
        );
      }
      for (const { doc, text } of inDependencyOrder(seeds.roles)) {
        await repos.roles.create(
          roleRecordFromDoc(doc, text, { id: randomUUID(), builtIn: true, version: 1, createdAt: now, updatedAt: now }),
        );
      }
      const adminId = randomUUID();
      await repos.users.create({
        id: adminId,
        email: options.adminEmail,
        displayName: "Administrator",
        kind: "HUMAN",
        status: "ACTIVE",
        source: "LOCAL",
        externalId: null,
        groups: [],
        mfaEnrolled: false,
        lockedReason: null,
        createdAt: now,
        lastSeenAt: null,
      });
      await repos.grants.create({
        id: randomUUID(),
        subjectType: "USER",
        userId: adminId,
        group: null,
        role: BUILT_IN_ADMIN_ROLE,
        scope: "",
        active: true,
        startsAt: null,
        expiresAt: null,
        reason: "bootstrap",
        source: "MANUAL",
        ssoProvider: null,
        accessRequestId: null,
        createdById: null,
        createdAt: now,
      });
      const secret = options.bootstrapToken ?? generateSecret(TOKEN_PREFIX);
      const token = bootstrapTokenRecord(adminId, secret, now);
      const tokenId = token.id;
      await repos.tokens.create(token);
      return { created: true, adminId, tokenId, generatedSecret: options.bootstrapToken === null ? secret : null };
    });
  } catch (err) {
    // Another process bootstrapped the same database at the same moment (two
    // processes on one SQLite file, which takes no named lock): its rows won.
    if (!(await storage.transaction(isEmpty)))
      return { created: false, bootstrapTokenIgnored: options.bootstrapToken !== null };
    throw err;
  }
}
