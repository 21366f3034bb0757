// The bundle operation (applyBundle with its plan). Validated against the
// emitted schema by test/unit/cli-bundle-operations.test.ts.
import type { PermissionView, RuleRefView } from "./operations";

const PERMISSION = "effect resourceType namespace name capabilities scope via { role policy ruleIndex }";

export const BUNDLE_OPERATIONS = {
  ApplyBundle: `mutation ApplyBundle($document: String!, $dryRun: Boolean!, $expectedVersion: Int, $prune: [String!], $replayDays: Int, $withReplay: Boolean!) {
    applyBundle(document: $document, dryRun: $dryRun, expectedVersion: $expectedVersion, prune: $prune) {
      applied version
      summary { created updated deleted usersGaining usersLosing }
      changes { kind name action diff }
      accessChanges { user { email } changes { change permission { ${PERMISSION} } } }
      escalations { kind name capability message }
      replay(replayDays: $replayDays) @include(if: $withReplay) {
        since replayed allowToDeny denyToAllow
        allowToDenyFlips { event { sequence time actorEmail operation action resourceType resourceNamespace resourceName } now { allowed reason } }
        denyToAllowFlips { event { sequence time actorEmail operation action resourceType resourceNamespace resourceName } now { allowed reason } }
      }
    } }`,
} as const;

export interface FlipView {
  event: {
    sequence: number;
    time: string;
    actorEmail: string | null;
    operation: string;
    action: string | null;
    resourceType: string | null;
    resourceNamespace: string | null;
    resourceName: string | null;
  };
  now: { allowed: boolean; reason: string };
}
export interface BundlePlanView {
  applied: boolean;
  version: number;
  summary: { created: number; updated: number; deleted: number; usersGaining: number; usersLosing: number };
  changes: Array<{ kind: string; name: string; action: string; diff: string | null }>;
  accessChanges: Array<{
    user: { email: string };
    changes: Array<{
      change: "GAINED" | "LOST";
      /** The PERMISSION selection: a permission without its conditions, its rule without a grant id. */
      permission: Pick<PermissionView, "effect" | "resourceType" | "namespace" | "name" | "capabilities" | "scope"> & {
        via: Omit<RuleRefView, "grantId">;
      };
    }>;
  }>;
  escalations: Array<{ kind: string; name: string; capability: string | null; message: string }>;
  replay?: {
    since: string;
    replayed: number;
    allowToDeny: number;
    denyToAllow: number;
    allowToDenyFlips: FlipView[];
    denyToAllowFlips: FlipView[];
  };
}
