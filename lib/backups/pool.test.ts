import { expect, test } from "vitest";
import { runPool } from "./pool";

test.each([1, 2, 5])("never more than %d at once, and every item once", async (limit) => {
  let inFlight = 0;
  let peak = 0;
  const seen: number[] = [];
  await runPool(
    Array.from({ length: 23 }, (_, i) => i),
    limit,
    async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 1 + (i % 3)));
      seen.push(i);
      inFlight--;
    },
  );
  expect(peak).toBe(limit);
  expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
});
