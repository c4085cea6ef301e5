// A binary min-heap keyed by time, with a sequence number breaking ties so that
// events at the same instant run in the order they were scheduled (determinism).

interface Entry<T> { at: number; seq: number; value: T }

export class EventQueue<T> {
  private items: Entry<T>[] = [];
  private seq = 0;

  get size(): number { return this.items.length; }

  push(at: number, value: T): void {
    const e = { at, seq: this.seq++, value };
    const h = this.items;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p]!)) break;
      h[i] = h[p]!; i = p;
    }
    h[i] = e;
  }

  /** The earliest entry, removed; undefined when empty. */
  pop(): { at: number; value: T } | undefined {
    const h = this.items;
    const top = h[0];
    if (!top) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[c]!, last)) break;
        h[i] = h[c]!; i = c;
      }
      h[i] = last;
    }
    return { at: top.at, value: top.value };
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
