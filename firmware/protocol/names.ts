// The names a topic carries: `{hall}`, `{kiosk}`, `{window}`, `{device}` per the contract.
export const NAME_RE = /^[a-z0-9][a-z0-9-]{0,47}$/;

export function isName(s: unknown): s is string {
  return typeof s === 'string' && NAME_RE.test(s);
}
