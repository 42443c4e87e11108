/**
 * Token text and its hash. A token reads `hkr_<id>_<secret>`: the id finds
 * the stored record (and is what lists and the audit trail show), the
 * secret is 32 random bytes, of which the Host keeps only an scrypt hash.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";

const PREFIX = "hkr";
/** scrypt cost: 2^14 with r=8 takes ~30 ms; a verified token is then cached in memory. */
const SCRYPT: ScryptOptions = { N: 16_384, r: 8, p: 1 };
const HASH_BYTES = 32;

function scrypt(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(secret, salt, HASH_BYTES, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));
}

/** A new token's parts: the text to hand out once, and what is stored. */
export interface NewToken {
  readonly tokenId: string;
  readonly text: string;
  /** `scrypt$<salt hex>$<hash hex>`. */
  readonly hash: string;
}

/** Makes a token with a fresh id and secret. */
export async function newToken(): Promise<NewToken> {
  const tokenId = randomBytes(6).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt);
  return { tokenId, text: `${PREFIX}_${tokenId}_${secret}`, hash: `scrypt$${salt.toString("hex")}$${hash.toString("hex")}` };
}

/** The id and secret of a token's text, or undefined when it is not shaped like one. */
export function parseToken(text: string): { tokenId: string; secret: string } | undefined {
  const match = /^hkr_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(text);
  return match ? { tokenId: match[1]!, secret: match[2]! } : undefined;
}

/** Whether `secret` matches the stored hash (constant time). */
export async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [scheme, saltHex, hashHex] = stored.split("$");
  if (scheme !== "scrypt" || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, "hex");
  const actual = await scrypt(secret, Buffer.from(saltHex, "hex"));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
