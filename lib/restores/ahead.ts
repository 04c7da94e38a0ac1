// Work a step starts for a later step of the same run, in this process, so that the two overlap
// (the scratch database is created while the backup downloads). The later step takes it when it
// is there and does the work itself when it is not (a resumed run, another process), so nothing
// depends on it but the time.

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

const started = new Map<string, Promise<Outcome<unknown>>>();

/** Starts `work` for the step that will `take(key)`; its failure is kept for that step, never thrown here. */
export function startAhead<T>(key: string, work: () => Promise<T>): Promise<Outcome<T>> {
  const p: Promise<Outcome<T>> = work().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  started.set(key, p);
  return p;
}

/** What was started for `key` (once: it is forgotten), or null. */
export function takeAhead<T>(key: string): Promise<Outcome<T>> | null {
  const p = started.get(key);
  started.delete(key);
  return (p as Promise<Outcome<T>> | undefined) ?? null;
}
