// Security headers on every response of the web host: no sniffing of types, no
// framing (click-jacking a staff page), no referrer leaving the hall's network.
import type { ServerResponse } from 'node:http';

export function setSecurityHeaders(res: ServerResponse, secure: boolean): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  if (secure) res.setHeader('strict-transport-security', 'max-age=31536000');
}
