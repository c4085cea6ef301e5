// A browser as far as the sign-in pages care: one cookie jar (Max-Age=0 deletes a
// cookie), Origin on every POST as Chromium sends it, redirects not followed.
export function cookieBrowser(base: string) {
  const jar = new Map<string, string>();
  const go = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    if (init.method === 'POST' && !headers.has('origin')) headers.set('origin', base);
    const res = await fetch(base + path, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      if (/;\s*max-age=0(;|$)/i.test(c)) jar.delete(kv.slice(0, i)); else jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return res;
  };
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    go(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    post(path, new URLSearchParams(fields).toString(), headers);
  return { jar, go, post, form };
}
