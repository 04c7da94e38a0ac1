import { test as base, expect, type BrowserContext } from "@playwright/test";

export { expect };
// A spec that needs an API client without a page takes it from here too, so every import stays on this file.
export { request } from "@playwright/test";
export type { Locator, Page } from "@playwright/test";

/**
 * Every spec imports `test` from here instead of @playwright/test: each browser context a test
 * uses (its `page`, and any it opens with browser.newContext()) records console errors and
 * uncaught page errors, and the test fails on any. A hydration mismatch (React #418), a 404 for
 * an asset or a crashing effect is otherwise invisible to a test that only reads the page.
 *
 * A test that provokes an error on purpose lists it: `test.use({ allowedConsoleErrors: [/…/] })`.
 */
type Options = { allowedConsoleErrors: RegExp[] };

// The test now running (one worker runs one test at a time) collects into this list.
let sink: { errors: string[]; allowed: RegExp[] } | null = null;
const watched = new WeakSet<BrowserContext>();

function watch(context: BrowserContext) {
  if (watched.has(context)) return;
  watched.add(context);
  const record = (where: string | undefined, text: string) => {
    if (!sink || sink.allowed.some((re) => re.test(text))) return;
    sink.errors.push(`${where ?? "(no page)"}: ${text}`);
  };
  context.on("console", (message) => {
    if (message.type() !== "error") return;
    const at = message.location().url;
    // "Failed to load resource" names no resource in its text: add the URL so the failure says which.
    record(message.page()?.url(), at && !message.text().includes(at) ? `${message.text()} (${at})` : message.text());
  });
  context.on("weberror", (e) => record(e.page()?.url(), `uncaught ${e.error().stack ?? e.error().message}`));
}

export const test = base.extend<Options & { consoleErrors: string[] }>({
  allowedConsoleErrors: [[], { option: true }],

  consoleErrors: [
    async ({ allowedConsoleErrors, browser }, provide) => {
      const mine = { errors: [] as string[], allowed: allowedConsoleErrors };
      sink = mine;
      // Contexts a test opens itself (a second user, a fresh session) are watched too.
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args: Parameters<typeof browser.newContext>) => {
        const context = await newContext(...args);
        watch(context);
        return context;
      };
      await provide(mine.errors);
      browser.newContext = newContext;
      sink = null;
      expect(mine.errors, "console errors or uncaught page errors in the browser").toEqual([]);
    },
    { auto: true },
  ],

  context: async ({ context, consoleErrors }, provide) => {
    void consoleErrors;
    watch(context);
    await provide(context);
  },
});
