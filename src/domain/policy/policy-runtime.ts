// The compiled policy state of this instance, and the version of the stored
// state it reflects. Writes update it incrementally after they commit, so a
// write and the next request see the same state.
import { Engine } from "../../engine";
import { loadPolicyState } from "../policy-state";
import type { Repositories } from "../ports/storage.port";

type Source = Pick<Repositories, "resourceTypes" | "policies" | "roles" | "grants" | "users" | "tokens" | "policyState">;

export class PolicyRuntime {
  private constructor(
    private current: Engine,
    private loadedVersion: number,
    private readonly now?: () => Date,
  ) {}

  static async load(repos: Source, now?: () => Date): Promise<PolicyRuntime> {
    const version = await repos.policyState.version();
    return new PolicyRuntime(Engine.compile(await loadPolicyState(repos), now ? { now } : {}), version, now);
  }

  engine(): Engine {
    return this.current;
  }

  /** The stored policy-state version this engine reflects. */
  version(): number {
    return this.loadedVersion;
  }

  /** Recompiles from storage (another instance wrote, or an incremental update failed). */
  async reload(repos: Source): Promise<void> {
    const version = await repos.policyState.version();
    this.current = Engine.compile(await loadPolicyState(repos), this.now ? { now: this.now } : {});
    this.loadedVersion = version;
  }

  /** Records that the state now reflects `version` (after an incremental update). */
  advanceTo(version: number): void {
    this.loadedVersion = version;
  }
}
