// The plan as a reviewer reads it: counts first, then each object's change with
// its diff, then who gains and loses what, then the audit replay's flips, then
// what the caller could not apply.
import type { BundlePlanView, FlipView } from "./operations-bundles";
import type { Colour } from "./output";

type Paint = (colour: Colour, text: string) => string;

const SIGN: Record<string, [string, Colour]> = {
  create: ["+", "green"],
  update: ["~", "yellow"],
  delete: ["-", "red"],
};

function diffLines(diff: string, paint: Paint): string[] {
  return diff
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => {
      if (line.startsWith("+++") || line.startsWith("---")) return `      ${paint("bold", line)}`;
      if (line.startsWith("+")) return `      ${paint("green", line)}`;
      if (line.startsWith("-")) return `      ${paint("red", line)}`;
      if (line.startsWith("@@")) return `      ${paint("cyan", line)}`;
      return `      ${line}`;
    });
}

function flipLine(flip: FlipView): string {
  const e = flip.event;
  const resource = [e.resourceType, e.resourceNamespace, e.resourceName].filter(Boolean).join("/");
  return `    #${e.sequence} ${e.time} ${e.actorEmail ?? "-"} ${e.operation}${e.action ? ` ${e.action}` : ""} ${resource} → now ${flip.now.allowed ? "ALLOW" : "DENY"} (${flip.now.reason})`;
}

export function renderPlan(plan: BundlePlanView, paint: Paint): string {
  const s = plan.summary;
  const out: string[] = [];
  const verb = plan.applied ? "Applied" : "Plan";
  out.push(
    paint(
      "bold",
      `${verb} (policy-state version ${plan.version}): ${s.created} to create, ${s.updated} to update, ${s.deleted} to delete; ` +
        `${s.usersGaining} user(s) gain access, ${s.usersLosing} lose access.`,
    ),
  );
  if (plan.changes.length === 0) out.push("No changes: the server already matches these documents.");
  else {
    out.push("", "Changes:");
    for (const c of plan.changes) {
      const [sign, colour] = SIGN[c.action] ?? ["?", "yellow"];
      out.push(`  ${paint(colour, `${sign} ${c.kind} ${c.name}`)} (${c.action})`);
      if (c.diff) out.push(...diffLines(c.diff, paint));
    }
  }
  if (plan.accessChanges.length > 0) {
    out.push("", "Who gains and loses what:");
    for (const a of plan.accessChanges) {
      out.push(`  ${a.user.email}`);
      for (const { change, permission: p } of a.changes) {
        const text =
          `${change === "GAINED" ? "+" : "-"} ${p.effect.toLowerCase()} ${[p.resourceType, p.namespace || "*", p.name || "*"].join("/")}: ${p.capabilities.join(", ")}` +
          `${p.scope ? ` in ${p.scope}` : ""} (${p.via.role ? `role ${p.via.role}, ` : ""}policy ${p.via.policy} rule ${p.via.ruleIndex})`;
        out.push(`    ${paint(change === "GAINED" ? "green" : "red", text)}`);
      }
    }
  }
  if (plan.replay) {
    const r = plan.replay;
    out.push(
      "",
      `Audit replay since ${r.since}: ${r.replayed} decision(s) decided again; ${r.allowToDeny} would flip ALLOW→DENY, ${r.denyToAllow} DENY→ALLOW.`,
    );
    if (r.allowToDenyFlips.length) out.push(paint("red", "  now denied:"), ...r.allowToDenyFlips.map(flipLine));
    if (r.allowToDeny > r.allowToDenyFlips.length)
      out.push(`    … and ${r.allowToDeny - r.allowToDenyFlips.length} more`);
    if (r.denyToAllowFlips.length) out.push(paint("green", "  now allowed:"), ...r.denyToAllowFlips.map(flipLine));
    if (r.denyToAllow > r.denyToAllowFlips.length)
      out.push(`    … and ${r.denyToAllow - r.denyToAllowFlips.length} more`);
  }
  if (plan.escalations.length > 0) {
    out.push("", paint("red", "You may not apply these (the server will refuse them):"));
    for (const e of plan.escalations)
      out.push(`  ${e.kind} ${e.name}${e.capability ? ` needs ${e.capability}` : ""}: ${e.message}`);
  }
  return out.join("\n") + "\n";
}
