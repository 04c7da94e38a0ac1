import { expect, test } from "vitest";
import { formatBytes, formatHours } from "./bytes";

test.each([
  [0, "0 B"],
  [1023, "1023 B"],
  [1536, "1.5 KiB"],
  [10 * 1024 * 1024, "10 MiB"],
  [5.5 * 1024 ** 3, "5.5 GiB"],
  [-1, "—"],
  [Number.NaN, "—"],
])("formatBytes(%d) → %s", (n, s) => expect(formatBytes(n)).toBe(s));

test.each([
  [0.25, "15 min"],
  [1, "1 h"],
  [2.5, "2.5 h"],
  [26, "26 h"],
  [72, "3 d"],
])("formatHours(%d) → %s", (h, s) => expect(formatHours(h)).toBe(s));
