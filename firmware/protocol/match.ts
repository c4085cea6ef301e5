// MQTT topic filters (`+`, `#`) against topics and against each other: the
// broker's access rules and the bus's subscriptions both need them.

/** True when a concrete topic matches an MQTT filter (`+`, `#`). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic matched by `inner` is also matched by `outer`. */
export function filterWithin(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const n = inner.split('/');
  for (let i = 0; i < o.length; i++) {
    if (o[i] === '#') return i === o.length - 1;
    if (i >= n.length) return false;
    if (n[i] === '#') return false; // inner reaches deeper than this outer level allows
    if (o[i] === '+') continue;
    if (n[i] === '+' || n[i] !== o[i]) return false;
  }
  return o.length === n.length;
}
