// Small values the server hands out and must get back unchanged and unread: the
// login transaction cookie and device-flow handles. They are sealed with the
// SecretBox (AES-256-GCM) under PORTCULLIS_ENCRYPTION_KEY, bound to their
// purpose so that a value sealed for one use is refused for another, with the
// expiry sealed inside.
import { randomBytes } from "node:crypto";
import { SecretBox } from "../../domain/credentials/secret-box";

export class SealedBox {
  private readonly box: SecretBox;

  /** `key`: 32 bytes; without one a random key is made, valid for this process only. */
  constructor(key: Buffer | null) {
    this.box = new SecretBox(key ?? randomBytes(32));
  }

  seal(purpose: string, payload: object, expiresAt: Date): string {
    return this.box.seal(JSON.stringify({ exp: expiresAt.getTime(), payload }), `portcullis:${purpose}`);
  }

  /** The payload, or null when the value is malformed, altered, sealed for another purpose or expired. */
  open<T>(purpose: string, sealed: string, now: Date = new Date()): T | null {
    try {
      const parsed = JSON.parse(this.box.open(sealed, `portcullis:${purpose}`)) as { exp: unknown; payload: T };
      return typeof parsed.exp === "number" && parsed.exp > now.getTime() ? parsed.payload : null;
    } catch {
      return null;
    }
  }
}
