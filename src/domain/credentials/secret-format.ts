// Credential secrets (docs/concepts.md): PREFIX + 40 random base62 characters +
// a 6-character checksum, the CRC-32 (IEEE) of the 40 characters written in
// base62 and left-padded with '0'. A leaked secret is recognisable offline, and
// a mistyped or forged one is refused before any database lookup.

import { hash, randomBytes, timingSafeEqual } from "node:crypto";
import { crc32 } from "node:zlib";

export const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const TOKEN_PREFIX = "ptc_";
export const SESSION_PREFIX = "pts_";
export type SecretPrefix = typeof TOKEN_PREFIX | typeof SESSION_PREFIX;

const BODY_LENGTH = 40;
const CHECKSUM_LENGTH = 6;
const SECRET_PATTERN = /^(ptc_|pts_)([0-9A-Za-z]{40})([0-9A-Za-z]{6})$/;

/** A fresh secret with uniformly random body characters (rejection sampling, no modulo bias). */
export function generateSecret(prefix: SecretPrefix): string {
  let body = "";
  while (body.length < BODY_LENGTH) {
    for (const byte of randomBytes(64)) {
      // 248 = 62 * 4: bytes at or above it would favour the first characters.
      if (byte < 248 && body.length < BODY_LENGTH) body += BASE62[byte % 62];
    }
  }
  return prefix + body + checksum(body);
}

/** base62(CRC-32(body)), left-padded with '0' to 6 characters. */
export function checksum(body: string): string {
  let n = crc32(Buffer.from(body, "latin1")) >>> 0;
  let out = "";
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(CHECKSUM_LENGTH, "0");
}

export type SecretCheck = { ok: true; prefix: SecretPrefix } | { ok: false; problem: "format" | "checksum" };

/** Checks shape and checksum only; touches no storage. */
export function checkSecret(secret: string, expected?: SecretPrefix): SecretCheck {
  const match = SECRET_PATTERN.exec(secret);
  if (!match) return { ok: false, problem: "format" };
  const prefix = match[1] as SecretPrefix;
  if (expected !== undefined && prefix !== expected) return { ok: false, problem: "format" };
  if (checksum(match[2]) !== match[3]) return { ok: false, problem: "checksum" };
  return { ok: true, prefix };
}

/** The only form in which a secret is stored: hex SHA-256. */
export function hashSecret(secret: string): string {
  // One call, no Hash object: this runs for every request that carries a token.
  return hash("sha256", secret, "hex");
}

/** Constant-time comparison of two hex SHA-256 hashes. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right);
}

/** What may be shown of a secret after it was issued: prefix, ellipsis, last 4 characters. */
export function secretHint(secret: string): string {
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}
