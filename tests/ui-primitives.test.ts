import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test } from "vitest";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { MiddleTruncate } from "@/components/ui/middle-truncate";

// The primitives' promises that a screenshot does not show: safe defaults and accessible wiring.

describe("Button", () => {
  test("defaults to a secondary type=button, so it neither submits a form nor looks like the way forward", () => {
    const html = renderToStaticMarkup(h(Button, null, "Remove"));
    expect(html).toContain('type="button"');
    expect(html).not.toMatch(/red-|bg-sky-700/);
  });

  test("loading disables it and says so", () => {
    const html = renderToStaticMarkup(h(Button, { loading: true, loadingText: "Saving…", variant: "primary" }, "Save"));
    expect(html).toMatch(/disabled=""/);
    expect(html).toContain('aria-busy="true"');
    expect(html).toContain("Saving…");
    expect(html).not.toContain(">Save<");
  });
});

describe("Field", () => {
  test("ties the hint and the error to its control and marks it invalid", () => {
    const html = renderToStaticMarkup(
      h(Field, {
        label: "E-mail",
        hint: "work address",
        error: "Enter a valid e-mail address",
        id: "email",
        children: h("input", { name: "email" }),
      }),
    );
    expect(html).toContain('<label for="email"');
    expect(html).toMatch(/<input[^>]*id="email"[^>]*aria-describedby="email-hint email-error"[^>]*aria-invalid="true"/);
    expect(html).toContain('id="email-error"');
    expect(html).toContain("Enter a valid e-mail address");
  });

  test("without an error the control is not marked invalid", () => {
    const html = renderToStaticMarkup(h(Field, { label: "Name", id: "name", children: h("input", { name: "name" }) }));
    expect(html).not.toContain("aria-invalid");
    expect(html).not.toContain("aria-describedby");
  });
});

describe("MiddleTruncate", () => {
  const parts = (text: string, tail?: number) => {
    const html = renderToStaticMarkup(h(MiddleTruncate, { text, tail }));
    return [...html.matchAll(/<span class="(head|tail)">([^<]*)<\/span>/g)].map((m) => [m[1], m[2]]);
  };

  test.each([
    [
      "amani_backup_20261201_020000.sql.gz",
      [
        ["head", "amani_backup_202612"],
        ["tail", "01_020000.sql.gz"],
      ],
    ],
    ["short.sql", [["tail", "short.sql"]]],
  ])("%s keeps its end whole", (text, expected) => {
    expect(parts(text)).toEqual(expected);
  });

  test("never splits a character made of two UTF-16 units", () => {
    const text = "backup_😀😀😀😀.sql";
    const [[, head], [, tail]] = parts(text, 6) as [[string, string], [string, string]];
    expect(head + tail).toBe(text);
    // Six characters, not six UTF-16 units (which would cut the second emoji in half).
    expect(tail).toBe("😀😀.sql");
  });
});
