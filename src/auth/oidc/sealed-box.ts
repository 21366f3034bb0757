// Small values the server hands out and must get back unchanged and unread: the
// login transaction cookie and device-flow handles. AES-256-GCM authenticates
// and encrypts; the purpose is bound as associated data so that a value sealed
// for one use is refused for another, and the expiry is sealed inside.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";

export class SealedBox {
  private readonly key: Buffer;

  /** `key`: 32 bytes; without one a random key is made, valid for this process only. */
  constructor(key: Buffer | null) {
    this.key = key ?? randomBytes(32);
    if (this.key.length !== 32) throw new Error("SealedBox needs a 32-byte key");
  }

  seal(purpose: string, payload: object, expiresAt: Date): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(`${VERSION}:${purpose}`));
    const plain = Buffer.from(JSON.stringify({ exp: expiresAt.getTime(), payload }));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return [VERSION, iv.toString("base64url"), body.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
  }

  /** The payload, or null when the value is malformed, altered, sealed for another purpose or expired. */
  open<T>(purpose: string, sealed: string, now: Date = new Date()): T | null {
    const parts = sealed.split(".");
    if (parts.length !== 4 || parts[0] !== VERSION) return null;
    try {
      const [, iv, body, tag] = parts as [string, string, string, string];
      const tagBytes = Buffer.from(tag, "base64url");
      // GCM would accept a truncated tag, which is easier to forge: only the full 16 bytes pass.
      if (tagBytes.length !== 16) return null;
      const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(`${VERSION}:${purpose}`));
      decipher.setAuthTag(tagBytes);
      const plain = Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]);
      const parsed = JSON.parse(plain.toString("utf8")) as { exp: number; payload: T };
      return typeof parsed.exp === "number" && parsed.exp > now.getTime() ? parsed.payload : null;
    } catch {
      return null;
    }
  }
}
