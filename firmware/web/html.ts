// Output encoding for HTML a page builds on the server: every value that reaches
// markup goes through `esc` (text and quoted attribute values alike).
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(v: string | number | null | undefined): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
