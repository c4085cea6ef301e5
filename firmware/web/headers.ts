// Security headers on every response of the web host: a Content-Security-Policy
// that runs no inline script (pages load their script from a file, so markup
// injected into a page cannot run), no sniffing of types, no framing
// (click-jacking a staff page), no referrer leaving the hall's network.
import type { ServerResponse } from 'node:http';

/**
 * Scripts only from the host itself; inline styles are allowed (they cannot run
 * code); pages talk only to their own host (HTTP and WebSocket); images from the
 * host or data: URLs (QR codes); forms post only back to the host.
 */
export const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'",
].join('; ');

export function setSecurityHeaders(res: ServerResponse, secure: boolean): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on form posts, and the
  // same-origin check of every POST (security/sessions.ts) needs the real one.
  res.setHeader('referrer-policy', 'same-origin');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  if (secure) res.setHeader('strict-transport-security', 'max-age=31536000');
}
