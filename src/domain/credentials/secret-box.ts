// Secrets that must be read back (TOTP seeds) are stored sealed: AES-256-GCM
// with a fresh 96-bit nonce per seal, bound to what they belong to (the user id
// as additional data), so a sealed value copied onto another row does not open.
// Form: `v1.<nonce>.<tag>.<ciphertext>`, each part base64url.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError("SecretBox needs a 32-byte key");
  }

  seal(plain: string, boundTo: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    cipher.setAAD(Buffer.from(boundTo, "utf8"));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return [VERSION, nonce, cipher.getAuthTag(), body]
      .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
      .join(".");
  }

  /** Throws when the value was not sealed with this key for `boundTo`, or was altered. */
  open(sealed: string, boundTo: string): string {
    const [version, nonce, tag, body, ...rest] = sealed.split(".");
    if (version !== VERSION || nonce === undefined || tag === undefined || body === undefined || rest.length > 0) {
      throw new Error("not a sealed secret");
    }
    // Without authTagLength GCM accepts a truncated tag (down to 4 bytes), which is far easier to forge.
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(nonce, "base64url"), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(boundTo, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  }
}
