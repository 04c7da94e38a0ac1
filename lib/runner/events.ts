// The runner knows no domain, so it cannot raise an alert itself: it says that a run changed
// state (failed, waits for a person, went on, ended) and whoever listens (lib/alerts, registered
// at start-up) reads the run and decides. A listener's failure never reaches the run.

type Listener = (runId: string) => void | Promise<void>;
const listeners = new Set<Listener>();

/** Returns a function that removes the listener. */
export function onRunChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function runChanged(runId: string): void {
  for (const listener of listeners) {
    void Promise.resolve()
      .then(() => listener(runId))
      .catch((e: unknown) => console.error("[lifeboat] a run listener failed:", e));
  }
}
