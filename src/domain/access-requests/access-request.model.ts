// Access requests (docs/concepts.md, Access requests; README, Access requests): a time-bound grant asked for with a
// reason, decided by reviewers. Plain records, as storage hands them over.

export type AccessRequestStatus = "PENDING" | "APPROVED" | "DENIED" | "EXPIRED" | "CANCELLED";

export interface AccessReviewRecord {
  id: string;
  requestId: string;
  reviewerId: string;
  approve: boolean;
  comment: string | null;
  createdAt: Date;
}

export interface AccessRequestRecord {
  id: string;
  requesterId: string;
  /** Role names, in the order requested. */
  roles: string[];
  reason: string;
  scope: string;
  /** As stored: a PENDING request past `expiresAt` is EXPIRED even before the sweep writes it (see effectiveStatus). */
  status: AccessRequestStatus;
  ttlSeconds: number;
  /** Approvals that decide it, fixed when it was made. */
  approvalsRequired: number;
  /** Denials that decide it, fixed when it was made. */
  denialsRequired: number;
  createdAt: Date;
  /** While PENDING: when it lapses. APPROVED: when the access it granted ends. Otherwise when it lapsed, or null. */
  expiresAt: Date | null;
  decidedAt: Date | null;
  /** Oldest first. */
  reviews: AccessReviewRecord[];
}

/** The status as of `now`: a pending request past its deadline is EXPIRED, whether or not the sweep has written it yet. */
export function effectiveStatus(
  request: Pick<AccessRequestRecord, "status" | "expiresAt">,
  now: Date,
): AccessRequestStatus {
  if (request.status === "PENDING" && request.expiresAt !== null && request.expiresAt.getTime() <= now.getTime())
    return "EXPIRED";
  return request.status;
}
