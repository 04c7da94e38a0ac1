import { expect, test } from "vitest";
import { createThrottle } from "./throttle";

test("locks after the maximum failures within the window, then forgets them", () => {
  let now = 0;
  const t = createThrottle(3, 1000, () => now);
  t.fail("a");
  t.fail("a");
  expect(t.isLocked("a")).toBe(false);
  t.fail("a");
  expect(t.isLocked("a")).toBe(true);
  expect(t.isLocked("b")).toBe(false);
  now = 1001;
  expect(t.isLocked("a")).toBe(false);
});

test("a success clears the count", () => {
  const t = createThrottle(2, 1000, () => 0);
  t.fail("a");
  t.succeed("a");
  t.fail("a");
  expect(t.isLocked("a")).toBe(false);
});
