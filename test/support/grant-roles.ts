// Roles the grant tests give out. `granter` may give out what it covers (jobs
// under prod); `grant-clerk` covers nothing; `escalator` may give out anything.
import { addRole } from "./principals";
import type { TestServer } from "./server";

const ROLES: Array<[string, string]> = [
  [
    'kind: policy\nname: prod-jobs\nrules:\n  - resource: job\n    namespace: "prod/**"\n    capabilities: ["*"]\n',
    "kind: role\nname: prod-job-admin\npolicies: [prod-jobs]\n",
  ],
  [
    'kind: policy\nname: all-jobs\nrules:\n  - resource: job\n    capabilities: ["*"]\n',
    "kind: role\nname: job-admin-everywhere\npolicies: [all-jobs]\n",
  ],
  [
    "kind: policy\nname: db-query\nrules:\n  - resource: db\n    capabilities: [query]\n",
    "kind: role\nname: db-querier\npolicies: [db-query]\n",
  ],
  [
    'kind: policy\nname: granter\nrules:\n  - resource: grant\n    capabilities: [create, list, delete]\n  - resource: job\n    namespace: "prod/**"\n    capabilities: ["*"]\n',
    "kind: role\nname: granter\npolicies: [granter]\n",
  ],
  [
    "kind: policy\nname: grant-clerk\nrules:\n  - resource: grant\n    capabilities: [create, list]\n",
    "kind: role\nname: grant-clerk\npolicies: [grant-clerk]\n",
  ],
  ["kind: policy\nname: nothing\nrules: []\n", "kind: role\nname: root\nsuperuser: true\npolicies: [nothing]\n"],
  [
    "kind: policy\nname: escalator\nrules:\n  - resource: grant\n    capabilities: [create]\n  - resource: role\n    capabilities: [escalate]\n",
    "kind: role\nname: escalator\npolicies: [escalator]\n",
  ],
];

/** prod-job-admin, job-admin-everywhere, db-querier, root (superuser), granter, grant-clerk, escalator. */
export async function addGrantTestRoles(server: TestServer): Promise<void> {
  for (const [policy, role] of ROLES) await addRole(server, policy, role);
}
