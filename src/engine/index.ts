// Public API of the policy engine.

export * from "./types";
export { ValidationError } from "./validation-error";
export { parseDuration, formatDuration } from "./duration";
export {
  parseResourceTypeDocument,
  parseResourceTypeDocuments,
  formatResourceTypeDocument,
} from "./resource-type-document";
export { parsePolicyDocument, formatPolicyDocument } from "./policy-document";
export { parseRoleDocument, formatRoleDocument, type RoleRefs } from "./role-document";
export { GlobMatcher, globProblem, namespaceGlobProblem, MAX_GLOB_LENGTH, MAX_GLOB_WILDCARDS } from "./glob-matcher";
export { namespaceProblem, MAX_NAMESPACE_LENGTH } from "./namespace-path";
export { GlobAutomaton } from "./glob-automaton";
export { globContains, globMatches } from "./glob-containment";
export {
  parseCidr,
  parseIp,
  formatIp,
  cidrProblem,
  cidrContains,
  CidrSet,
  type CidrBlock,
  type IpAddress,
} from "./cidr-matcher";
export { Engine, type EngineOptions } from "./engine";
export type { AccessDiffHint, UserAccessDiff } from "./access-diff";
export {
  readDocumentStream,
  pathSegments,
  StreamError,
  MAX_STREAM_BYTES,
  type StreamDocument,
  type StreamIssue,
  type Position,
} from "./document-stream";
export {
  BUNDLE_KINDS,
  PRUNABLE_KINDS,
  BUNDLE_KEYS,
  SSO_MAPPINGS_KEYS,
  SSO_MAPPING_KEYS,
  readDocumentKind,
  readSsoMappingsDocument,
  readBundleDocument,
  type BundleKind,
  type PrunableKind,
  type SsoMappingsDoc,
} from "./bundle-documents";
