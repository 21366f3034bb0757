// The compiled policy state of this instance. Writes update it incrementally
// after they commit, so a write and the next request see the same state.
import { Engine } from "../../engine";
import { loadPolicyState } from "../policy-state";
import type { Repositories } from "../ports/storage.port";

export class PolicyRuntime {
  private constructor(private current: Engine) {}

  static async load(repos: Repositories, now?: () => Date): Promise<PolicyRuntime> {
    return new PolicyRuntime(Engine.compile(await loadPolicyState(repos), now ? { now } : {}));
  }

  engine(): Engine {
    return this.current;
  }
}
