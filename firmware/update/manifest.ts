// What a bundle's signature covers: a small manifest naming the version and the
// archive's size and SHA-256, serialised one canonical way. The offer on
// `device/{id}/update` carries the same fields, so a board rebuilds the manifest
// from the offer, checks the signature before downloading anything, and then
// checks the download against the signed size and hash.
import { z } from 'zod';
import { sign, verify } from '../security/keys.ts';

export const MANIFEST_FORMAT = 'manyi-bundle/1';

export const BundleManifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.string().min(1).max(64),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().min(1),
}).strict();
export type BundleManifest = z.infer<typeof BundleManifest>;

/** The exact bytes that are signed: fixed key order, no whitespace. */
export function manifestBytes(m: Omit<BundleManifest, 'format'>): Uint8Array {
  const canon = { format: MANIFEST_FORMAT, version: m.version, sha256: m.sha256, size: m.size };
  return new TextEncoder().encode(JSON.stringify(BundleManifest.parse(canon)));
}

export function signManifest(m: Omit<BundleManifest, 'format'>, secret: Uint8Array): Promise<string> {
  return sign(manifestBytes(m), secret);
}

export async function verifyManifest(m: Omit<BundleManifest, 'format'>, signature: string, publicHex: string): Promise<boolean> {
  let bytes: Uint8Array;
  try { bytes = manifestBytes(m); } catch { return false; }
  return verify(signature, bytes, publicHex);
}
