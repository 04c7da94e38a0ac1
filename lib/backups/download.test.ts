import { expect, test } from "vitest";
import { contentDisposition } from "./download";

test.each([
  [
    "prod/amani_backup_20260101_020000.sql.gz",
    "attachment; filename=\"amani_backup_20260101_020000.sql.gz\"; filename*=UTF-8''amani_backup_20260101_020000.sql.gz",
  ],
  ["../../etc/passwd", "attachment; filename=\"passwd\"; filename*=UTF-8''passwd"],
  ['a"b\\c.sql', "attachment; filename=\"a_b_c.sql\"; filename*=UTF-8''a%22b%5Cc.sql"],
  ["ünï/бэкап.dump", "attachment; filename=\"_____.dump\"; filename*=UTF-8''%D0%B1%D1%8D%D0%BA%D0%B0%D0%BF.dump"],
  ["folder/", "attachment; filename=\"backup\"; filename*=UTF-8''backup"],
])("%j → %s", (key, expected) => {
  expect(contentDisposition(key)).toBe(expected);
});

test("header injection is impossible: no CR/LF survives", () => {
  expect(contentDisposition("a\r\nSet-Cookie: x=1.sql")).not.toMatch(/[\r\n]/);
});
