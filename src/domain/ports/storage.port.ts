// What the domain asks of storage. Each method's comment is its contract; the
// conformance suite (test/integration/storage/) holds every implementation to it,
// on SQLite and on MySQL/MariaDB.
import type { AuditEventInput, AuditEventRecord } from "../audit/audit-event";
import type { AuditStore, ChainFn } from "./audit.port";
import type {
  AccessRequestRecord,
  AccessRequestStatus,
  AccessReviewRecord,
} from "../access-requests/access-request.model";
import type {
  GrantRecord,
  PolicyRecord,
  ResourceTypeRecord,
  RoleRecord,
  SessionRecord,
  SsoMappingRecord,
  TokenRecord,
  UserRecord,
} from "../model";

export interface UserRepository {
  /** null when no user has this id. */
  get(id: string): Promise<UserRecord | null>;
  /** The users that exist among `ids`, in one query. */
  getMany(ids: readonly string[]): Promise<UserRecord[]>;
  /** Case-insensitive; null when absent. */
  getByEmail(email: string): Promise<UserRecord | null>;
  /** Every user whose externalId is exactly this (case-sensitive), ordered by id. */
  findByExternalId(externalId: string): Promise<UserRecord[]>;
  /** Every user whose `groups` holds exactly this name (case-sensitive), ordered by id. */
  membersOf(group: string): Promise<UserRecord[]>;
  /** Every group name some user carries, each once, in code-point order. */
  groupNames(): Promise<string[]>;
  /**
   * The user an SSO identity is linked to: `source` equal, `externalId` exactly
   * equal (case-sensitive on every database) and `externalProvider` equal to
   * `provider`; failing that, such a user whose `externalProvider` is null (a row
   * from before providers were recorded, for the caller to claim); else null.
   * A user of another provider with the same id is never returned.
   */
  getByExternalIdentity(source: UserRecord["source"], provider: string, externalId: string): Promise<UserRecord | null>;
  /** Users not deleted by their identity provider (`removedAt` null), ordered by id, `offset` skipped, at most `limit`. */
  listPresent(offset: number, limit: number): Promise<UserRecord[]>;
  /** How many users are not deleted by their identity provider. */
  countPresent(): Promise<number>;
  /** Ordered by id ascending; only ids greater than `after` when given; at most `first`. */
  list(first: number, after?: string): Promise<UserRecord[]>;
  /** Every user, for compiling the policy state. */
  all(): Promise<UserRecord[]>;
  /** Inserts; email is stored lower-cased. DomainError CONFLICT when the email is taken. */
  create(user: UserRecord): Promise<void>;
  /** Replaces every mutable field of an existing user (not id, not createdAt). */
  update(user: UserRecord): Promise<void>;
  count(): Promise<number>;
}

export interface ResourceTypeRepository {
  /** Ordered by name, capabilities included. */
  all(): Promise<ResourceTypeRecord[]>;
  get(name: string): Promise<ResourceTypeRecord | null>;
  /**
   * Creates the type if absent and adds the capabilities it lacks. Never removes a
   * capability or changes an existing capability's level (callers refuse that first).
   */
  save(type: ResourceTypeRecord): Promise<void>;
}

export interface PolicyRepository {
  /** Case-insensitive name lookup. */
  get(name: string): Promise<PolicyRecord | null>;
  /** Ordered by name. */
  all(): Promise<PolicyRecord[]>;
  /** Inserts the policy and its first version. CONFLICT when the name is taken (ignoring case). */
  create(policy: PolicyRecord, createdById: string | null): Promise<void>;
  /** Stores the new current document and appends it to the version history. */
  update(policy: PolicyRecord, createdById: string | null): Promise<void>;
  /** Every stored version, oldest first. */
  versions(name: string): Promise<Array<{ version: number; document: string; createdAt: Date }>>;
  /** false when absent. CONFLICT while a role uses the policy. */
  delete(name: string): Promise<boolean>;
  /** Names of roles that use the policy. */
  usedBy(name: string): Promise<string[]>;
}

export interface RoleRepository {
  /** Case-insensitive name lookup. */
  get(name: string): Promise<RoleRecord | null>;
  /** Ordered by name. */
  all(): Promise<RoleRecord[]>;
  /** Inserts the role and its references (which must exist). CONFLICT when the name is taken. */
  create(role: RoleRecord): Promise<void>;
  /** Replaces the role's fields and references. */
  update(role: RoleRecord): Promise<void>;
  /** false when absent. CONFLICT while a grant, SSO mapping or another role refers to it. */
  delete(name: string): Promise<boolean>;
}

export interface GrantFilter {
  userId?: string;
  role?: string;
  /** Include grants that are inactive, not started or expired at `now`. */
  includeInactive?: boolean;
  now?: Date;
}

export interface GrantRepository {
  get(id: string): Promise<GrantRecord | null>;
  /** Ordered by creation time, then id. A `userId` filter returns that user's direct grants. */
  list(filter: GrantFilter): Promise<GrantRecord[]>;
  /** Direct grants of each user (any state), keyed by user id; one query for the whole batch. */
  forUsers(userIds: readonly string[]): Promise<Map<string, GrantRecord[]>>;
  /** Grants given to any of these groups. */
  forGroups(groups: readonly string[]): Promise<GrantRecord[]>;
  /** Ids (ascending, distinct) of the users holding a `source: SSO` grant, in any state, from one of `providers`. */
  ssoUserIds(providers: readonly string[]): Promise<string[]>;
  all(): Promise<GrantRecord[]>;
  /** The role must exist (BAD_USER_INPUT otherwise is the caller's job; storage throws NOT_FOUND). */
  create(grant: GrantRecord): Promise<void>;
  /** false when absent. */
  delete(id: string): Promise<boolean>;
  /** Deletes every direct grant of the user; returns how many. */
  deleteForUser(userId: string): Promise<number>;
  /** The grants each access request created (any state), keyed by request id; one query for the batch. */
  forAccessRequests(requestIds: readonly string[]): Promise<Map<string, GrantRecord[]>>;
}

export interface AccessRequestFilter {
  /** Only this requester's requests. */
  requesterId?: string;
  /** Stored status (callers widen PENDING to catch requests past their deadline). */
  statuses?: readonly AccessRequestStatus[];
}

export interface AccessRequestRepository {
  /** With its roles (in request order) and reviews (oldest first); null when absent. */
  get(id: string): Promise<AccessRequestRecord | null>;
  /** Newest first (creation time, then id descending), roles and reviews included. */
  list(filter: AccessRequestFilter): Promise<AccessRequestRecord[]>;
  /** Ids of requests stored as PENDING whose deadline (`expiresAt`) is at or before `now`, oldest deadline first, at most `limit`. */
  pendingDue(now: Date, limit: number): Promise<string[]>;
  /** Ids of requests stored as PENDING that ask for the role (name, ignoring case). */
  pendingForRole(role: string): Promise<string[]>;
  /** Inserts the request and its roles (which must exist); `reviews` is ignored. */
  create(request: AccessRequestRecord): Promise<void>;
  /** Sets status, expiresAt and decidedAt. */
  updateState(id: string, state: Pick<AccessRequestRecord, "status" | "expiresAt" | "decidedAt">): Promise<void>;
  /** CONFLICT when the reviewer already reviewed the request. */
  addReview(review: AccessReviewRecord): Promise<void>;
}

export interface TokenRepository {
  get(id: string): Promise<TokenRecord | null>;
  /** Lookup by the SHA-256 of the secret. */
  getByHash(secretHash: string): Promise<TokenRecord | null>;
  /** Ordered by creation time, then id. */
  listByOwner(ownerId: string, includeRevoked: boolean): Promise<TokenRecord[]>;
  /** Tokens of each owner (revoked included), one query for the batch. */
  forOwners(ownerIds: readonly string[]): Promise<Map<string, TokenRecord[]>>;
  /** Every token not revoked. */
  allActive(): Promise<TokenRecord[]>;
  create(token: TokenRecord): Promise<void>;
  /** Replaces every mutable field (secret hash and hint on rotation, revokedAt, lastUsed*). */
  update(token: TokenRecord): Promise<void>;
  /** Sets revokedAt on every unrevoked token of the owner; returns how many. */
  revokeForOwner(ownerId: string, at: Date): Promise<number>;
  /**
   * Records a use: sets lastUsedAt and lastUsedIp and nothing else, unless the
   * stored lastUsedAt is later than `unlessUsedAfter` (a use was recorded since).
   * true when written; false when the token is absent or was used more recently.
   */
  recordUse(id: string, at: Date, ip: string | null, unlessUsedAfter: Date): Promise<boolean>;
}

export interface SessionRepository {
  /** null when no session has this id. */
  get(id: string): Promise<SessionRecord | null>;
  getByHash(secretHash: string): Promise<SessionRecord | null>;
  /**
   * The user's sessions, oldest first: only those live at `at` (neither revoked nor expired)
   * unless `includeEnded`.
   */
  listByUser(userId: string, includeEnded: boolean, at: Date): Promise<SessionRecord[]>;
  create(session: SessionRecord): Promise<void>;
  /** Replaces every mutable field (not id, userId, createdAt). */
  update(session: SessionRecord): Promise<void>;
  /**
   * Sets lastSeenAt to `at` unless the stored lastSeenAt is later than `unlessUsedAfter`
   * (a use was recorded since), as TokenRepository.recordUse. Sessions keep the address
   * of their login (sourceIp), not of each use. true when written.
   */
  recordUse(id: string, at: Date, unlessUsedAfter: Date): Promise<boolean>;
  /** Sets revokedAt on the session if it is live (not revoked, not expired at `at`); true when it was. */
  revoke(id: string, at: Date): Promise<boolean>;
  /** Sets revokedAt on every live session of the user; returns how many. */
  revokeForUser(userId: string, at: Date): Promise<number>;
}

export interface SsoMappingRepository {
  /** Every mapping, ordered by provider, then in the order the provider's list was set. */
  all(): Promise<SsoMappingRecord[]>;
  /** The provider's mappings in the order they were set; empty for an unknown provider. */
  forProvider(provider: string): Promise<SsoMappingRecord[]>;
  /**
   * Replaces the mappings of `provider` (of every provider when null) with
   * `mappings`, keeping their order. Every role named must exist (NOT_FOUND
   * otherwise, callers validate first); mappings of other providers are untouched.
   */
  replace(provider: string | null, mappings: readonly SsoMappingRecord[]): Promise<void>;
}

/** A user's TOTP state (columns of `users` that no UserRecord carries). */
export interface TotpState {
  userId: string;
  /** The seed as sealed by the secret box (AES-256-GCM); null when not enrolled. */
  sealedSecret: string | null;
  /** Whether a code has confirmed the current seed (the user's mfaEnrolled). */
  confirmed: boolean;
  /** The last time step whose code was accepted. */
  lastStep: number | null;
  /** Wrong codes since the last accepted one or the last block. */
  failures: number;
  blockedUntil: Date | null;
}

export interface TotpRepository {
  /** null when no user has this id. */
  get(userId: string): Promise<TotpState | null>;
  /** Stores a new unconfirmed seed: confirmed (mfaEnrolled) false, lastStep null, failures 0, not blocked. */
  enroll(userId: string, sealedSecret: string): Promise<void>;
  /**
   * Accepts a code's time step, atomically: only when no step at or after it was
   * accepted before (a code is good once, even with concurrent callers). On
   * success sets lastStep, confirmed (mfaEnrolled) true, failures 0, not blocked.
   * false when the step (or a later one) was already used.
   */
  acceptStep(userId: string, step: number): Promise<boolean>;
  /**
   * Counts a wrong code; the `limit`-th in a row blocks verification until
   * `blockUntil` and starts the count again. Returns the state after it.
   */
  recordFailure(userId: string, limit: number, blockUntil: Date): Promise<TotpState>;
}

export interface PolicyStateRepository {
  /**
   * Locks the policy-state row until the transaction ends (other instances'
   * policy writes wait), bumps its version and returns the new version.
   */
  lockAndBump(): Promise<number>;
  /** The current version, without locking. */
  version(): Promise<number>;
}

export interface AuditAppender {
  /** Appends in the caller's transaction: the events commit or roll back with it. */
  append(events: AuditEventInput[], chain: ChainFn): Promise<AuditEventRecord[]>;
}

export interface Repositories {
  users: UserRepository;
  resourceTypes: ResourceTypeRepository;
  policies: PolicyRepository;
  roles: RoleRepository;
  grants: GrantRepository;
  tokens: TokenRepository;
  sessions: SessionRepository;
  ssoMappings: SsoMappingRepository;
  totp: TotpRepository;
  accessRequests: AccessRequestRepository;
  policyState: PolicyStateRepository;
  audit: AuditAppender;
}

export interface Storage extends Omit<Repositories, "audit"> {
  /** The audit trail; its writes run in transactions of their own. */
  audit: AuditStore;
  /**
   * Runs `work` in one transaction: every repository it is handed sees and writes
   * the same transaction; a throw rolls everything back.
   */
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
  /**
   * Runs `work` while no other instance on the same database runs work under the
   * same name (first start, for instance).
   */
  exclusively<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** true when the database answers. */
  ping(): Promise<boolean>;
  /** Migrations not yet applied (empty when the schema is current). */
  pendingMigrations(): Promise<string[]>;
  close(): Promise<void>;
}
