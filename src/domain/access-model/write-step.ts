// What one object's write needs, so that a single mutation and a bundle run the
// same validation and checks: the transaction's repositories, the compiled
// state the write is judged against, the actor, and where escalation refusals
// go (thrown unless a dry run collects them).
import type { Engine } from "../../engine";
import type { Repositories } from "../ports/storage.port";
import type { Principal } from "../principal";
import type { Refusal } from "./escalation";

export interface WriteStep {
  repos: Repositories;
  engine: Engine;
  actor: Principal;
  refuse?: Refusal;
  /** The write's clock (grant expiry, access-request deadlines); now when left out. */
  now?: Date;
  /**
   * Part of a bundle: checks of the state the whole write leaves (the admin
   * role's powers, see last-superuser.ts) run once at its end, not per object.
   */
  inBundle?: boolean;
}
