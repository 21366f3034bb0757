// Recovery of a lost bootstrap secret (`portcullis bootstrap --reissue`, run on
// the server's host against the database): the built-in admin's break-glass
// tokens are revoked and a new one is issued, as one policy-state write through
// the policy writer. The change record therefore joins the same hash chain as
// every other write, and the version bump tells running instances to reload
// (which also empties their credential caches).
import { randomUUID } from "node:crypto";
import { GroupCommitAuditLog } from "./audit/group-commit-audit-log";
import { bootstrapTokenRecord } from "./bootstrap";
import { generateSecret, TOKEN_PREFIX } from "./credentials/secret-format";
import type { TokenRecord } from "./model";
import { toTokenDef } from "./policy-state";
import { PolicyRuntime } from "./policy/policy-runtime";
import { PolicyWriter } from "./policy/policy-writer";
import { describeToken } from "./tokens/token-service";
import type { Storage } from "./ports/storage.port";
import type { SystemActor } from "./system-actor";

/** The operator at the server's host, who holds the database credentials rather than a portcullis credential. */
export const BOOTSTRAP_REISSUE: SystemActor = { kind: "system", name: "bootstrap-reissue" };
export const BOOTSTRAP_REISSUE_OPERATION = "bootstrap.reissue";

export type ReissueResult =
  | {
      ok: true;
      adminId: string;
      tokenId: string;
      /** Shown once; never stored, logged or recorded. */ secret: string;
      revoked: number;
    }
  | { ok: false; reason: string };

export async function reissueBootstrapToken(
  storage: Storage,
  options: { adminEmail: string; now?: () => Date },
): Promise<ReissueResult> {
  const now = options.now ?? (() => new Date());
  if ((await storage.users.count()) === 0) {
    return {
      ok: false,
      reason:
        "the database is empty, there is nothing to reissue: start the server once, it bootstraps an empty database and prints the token",
    };
  }
  const runtime = await PolicyRuntime.load(storage);
  const audit = new GroupCommitAuditLog(storage.audit);
  const writer = new PolicyWriter(storage, runtime, audit);
  const requestId = `reissue-${randomUUID()}`;
  const result = await writer.write<ReissueResult>(
    { actor: BOOTSTRAP_REISSUE, operation: BOOTSTRAP_REISSUE_OPERATION, requestId },
    async (repos) => {
      const admin = await repos.users.getByEmail(options.adminEmail);
      if (!admin) {
        return {
          result: {
            ok: false,
            reason: `no user with the email '${options.adminEmail}' (PORTCULLIS_ADMIN_EMAIL): set it to the built-in admin's email`,
          },
        };
      }
      const at = now();
      const revoked: TokenRecord[] = [];
      for (const token of await repos.tokens.listByOwner(admin.id, false)) {
        if (!token.breakGlass) continue;
        const done: TokenRecord = { ...token, revokedAt: at };
        await repos.tokens.update(done);
        revoked.push(done);
      }
      const secret = generateSecret(TOKEN_PREFIX);
      const token = bootstrapTokenRecord(admin.id, secret, at);
      await repos.tokens.create(token);
      return {
        result: { ok: true, adminId: admin.id, tokenId: token.id, secret, revoked: revoked.length },
        apply: (e) => [...revoked, token].forEach((t) => e.putToken(toTokenDef(t))),
        record: { revoked: revoked.map(describeToken), created: describeToken(token) },
        resource: { type: "token", name: token.id },
      };
    },
  );
  await audit.drain();
  return result;
}
