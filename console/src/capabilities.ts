// What the signed-in user may do, asked once per page with canMany, so that
// a control the user may not use is not offered. The server still decides each
// call; a refusal that happens anyway is shown by ErrorNote.
import { useQuery } from "@urql/preact";
import { CAN_MANY, type CheckInput } from "./operations";

/** A capability on one of the server's own `system` types (how the API guards itself). */
export const system = (type: string, action: string, name = ""): CheckInput => ({
  action,
  resource: { type, namespace: "system", name },
});

/** Whether each check is allowed; every answer false until the server has said. */
export function useCan(checks: CheckInput[]): { allowed: boolean[]; ready: boolean } {
  const [result] = useQuery({
    query: CAN_MANY,
    variables: { checks },
    pause: checks.length === 0,
  });
  const answers = result.data?.canMany;
  return { allowed: checks.map((_, i) => answers?.[i]?.allowed ?? false), ready: answers !== undefined };
}
