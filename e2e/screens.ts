import { expect, type Page } from "@playwright/test";

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** Full-page screenshots at desktop and phone width into test-results/screenshots/. */
export async function screenshotBoth(page: Page, name: string) {
  const before = page.viewportSize();
  for (const [label, size] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `test-results/screenshots/${name}-${label}.png`, fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}

/**
 * At 390 px the page must not scroll sideways: document width ≤ viewport width. Takes screenshots
 * first (test-results/screenshots/<name>-390.png, the first screen, and <name>-390-full.png) and
 * names the widest elements when it fails, so the culprit is in the message.
 */
export async function expectFitsPhone(page: Page, name: string) {
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `test-results/screenshots/${name}-390.png` });
  await page.screenshot({ path: `test-results/screenshots/${name}-390-full.png`, fullPage: true });
  const m = await page.evaluate(() => {
    const { scrollWidth, clientWidth } = document.documentElement;
    const wide = [...document.querySelectorAll("body *")]
      .map((e) => ({ e, right: e.getBoundingClientRect().right }))
      .filter((x) => x.right > clientWidth + 0.5)
      .sort((a, b) => b.right - a.right)
      .slice(0, 4)
      .map(
        ({ e, right }) =>
          `<${e.tagName.toLowerCase()} class="${e.getAttribute("class")?.slice(0, 60) ?? ""}"> to ${Math.round(right)} px`,
      );
    return { scrollWidth, clientWidth, wide };
  });
  expect(
    m.scrollWidth,
    `${name} is ${m.scrollWidth} px wide on a ${m.clientWidth} px screen; widest: ${m.wide.join("; ")}`,
  ).toBeLessThanOrEqual(m.clientWidth);
}
