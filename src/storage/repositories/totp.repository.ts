import { EntityManager } from "typeorm";
import type { TotpRepository, TotpState } from "../../domain/ports/storage.port";
import { UserEntity } from "../entities";

const COLUMNS = {
  id: true,
  totpSecret: true,
  mfaEnrolled: true,
  totpLastStep: true,
  totpFailures: true,
  totpBlockedUntil: true,
} as const;

function toState(e: UserEntity): TotpState {
  return {
    userId: e.id,
    sealedSecret: e.totpSecret,
    confirmed: e.mfaEnrolled,
    lastStep: e.totpLastStep,
    failures: e.totpFailures,
    blockedUntil: e.totpBlockedUntil,
  };
}

export class TypeormTotpRepository implements TotpRepository {
  constructor(private readonly manager: EntityManager) {}

  async get(userId: string): Promise<TotpState | null> {
    const e = await this.manager.findOne(UserEntity, { select: COLUMNS, where: { id: userId } });
    return e ? toState(e) : null;
  }

  async enroll(userId: string, sealedSecret: string): Promise<void> {
    await this.manager.update(
      UserEntity,
      { id: userId },
      {
        totpSecret: sealedSecret,
        mfaEnrolled: false,
        totpLastStep: null,
        totpFailures: 0,
        totpBlockedUntil: null,
      },
    );
  }

  async acceptStep(userId: string, step: number): Promise<boolean> {
    // One conditional UPDATE: of two concurrent uses of one code, only one matches.
    const result = await this.manager
      .createQueryBuilder()
      .update(UserEntity)
      .set({ totpLastStep: step, mfaEnrolled: true, totpFailures: 0, totpBlockedUntil: null })
      .where("id = :userId AND (totp_last_step IS NULL OR totp_last_step < :step)", { userId, step })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async recordFailure(userId: string, limit: number, blockUntil: Date): Promise<TotpState> {
    await this.manager
      .createQueryBuilder()
      .update(UserEntity)
      .set({ totpFailures: () => "totp_failures + 1" })
      .where("id = :userId", { userId })
      .execute();
    // The limit-th failure blocks and restarts the count; a concurrent one past the limit is caught too.
    await this.manager
      .createQueryBuilder()
      .update(UserEntity)
      .set({ totpFailures: 0, totpBlockedUntil: blockUntil })
      .where("id = :userId AND totp_failures >= :limit", { userId, limit })
      .execute();
    return (await this.get(userId))!;
  }
}
