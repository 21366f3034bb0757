// Validation of what a caller asks about: every problem names its field.
import { namespaceProblem, parseIp } from "../../engine";
import type { DecisionContext, Resource } from "../../engine/types";
import { badInput } from "../errors";

export interface ResourceArg {
  type: string;
  namespace?: string | null;
  name?: string | null;
  labels?: Array<{ key: string; value: string }> | null;
}

export interface ContextArg {
  sourceIp?: string | null;
  mfa?: boolean | null;
}

export function toResource(input: ResourceArg, path: string): Resource {
  if (typeof input.type !== "string" || input.type === "") throw badInput(`${path}.type`, "must name a resource type");
  const labels: Record<string, string> = {};
  (input.labels ?? []).forEach((label, i) => {
    if (label.key in labels) throw badInput(`${path}.labels[${i}].key`, `label '${label.key}' is given twice`);
    labels[label.key] = label.value;
  });
  // A namespace that is not a path ("staging/../prod") would match grants scoped
  // to a prefix of it: refuse it rather than answer about it.
  const namespace = input.namespace ?? "";
  const problem = namespaceProblem(namespace);
  if (problem !== null) throw badInput(`${path}.namespace`, `'${namespace.slice(0, 80)}' ${problem}`);
  return { type: input.type, namespace, name: input.name ?? "", labels };
}

/** Left out: no MFA and no known address (a sourceCidrs condition then does not admit). */
export function toContext(input: ContextArg | null | undefined, path = "context"): DecisionContext {
  const sourceIp = input?.sourceIp ?? null;
  if (sourceIp !== null && parseIp(sourceIp) === null)
    throw badInput(`${path}.sourceIp`, `'${sourceIp}' is not an IPv4 or IPv6 address`);
  return { mfa: input?.mfa ?? false, sourceIp };
}
