// Turning raw MQTT payloads into validated messages, and bad ones into the
// contract's `bad-request` reply. Never throws: input can be anything.
import type { z } from 'zod';
import { RequestId, type ErrorCode } from './messages.ts';

export type Decoded<T> =
  | { ok: true; value: T }
  | { ok: false; id: string | null; message: string };

/** Describes zod issues in words: `service: must …; count: …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'message'}: ${i.message}`)
    .join('; ');
}

/** The request id, if the payload has a valid one; used to address error replies. */
export function extractId(obj: unknown): string | null {
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    const id = (obj as Record<string, unknown>).id;
    if (RequestId.safeParse(id).success) return id as string;
  }
  return null;
}

export function parseJson(payload: Buffer | string): { ok: true; value: unknown } | { ok: false; message: string } {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  if (text.length === 0) return { ok: false, message: 'empty payload: expected a JSON object' };
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, message: 'payload must be a JSON object' };
    }
    return { ok: true, value };
  } catch (e) {
    return { ok: false, message: `payload is not valid JSON (${(e as Error).message})` };
  }
}

/** Parses JSON and validates it with `schema` (or a parse function with safeParse's shape). */
export function decode<T>(
  payload: Buffer | string,
  schema: { safeParse(v: unknown): z.ZodSafeParseResult<T> } | ((v: unknown) => z.ZodSafeParseResult<T>),
): Decoded<T> {
  const json = parseJson(payload);
  if (!json.ok) return { ok: false, id: null, message: json.message };
  const r = typeof schema === 'function' ? schema(json.value) : schema.safeParse(json.value);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, id: extractId(json.value), message: describeIssues(r.error) };
}

export function errorReply(id: string | null, code: ErrorCode, message: string) {
  return { id, ok: false as const, error: { code, message } };
}
