import type { UserRecord } from "./model";

/** Who is calling, resolved from a credential. There is no anonymous or "system" principal here. */
export interface Principal {
  user: UserRecord;
  credential: { kind: "token"; tokenId: string; breakGlass: boolean } | { kind: "session"; sessionId: string };
  /** Whether this credential carries MFA (tokens never do). */
  mfa: boolean;
  sourceIp: string | null;
}
