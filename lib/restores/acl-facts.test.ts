import { describe, expect, test } from "vitest";
import { AclCollector, aclLineSink } from "./acl-facts";

// What a dump says about roles, read from pg_dump's own lines.

function collect(script: string) {
  const c = new AclCollector();
  const sink = aclLineSink(c);
  // In uneven chunks, as a stream delivers them (a line and a multibyte name split across chunks).
  const bytes = Buffer.from(script, "utf8");
  for (let i = 0; i < bytes.length; i += 7) sink.write(bytes.subarray(i, i + 7));
  sink.end();
  return c.result();
}

describe("AclCollector", () => {
  test("owners, grants and policies, as pg_dump writes them", () => {
    const r = collect(
      [
        'ALTER SCHEMA "Sales" OWNER TO app_owner;',
        'ALTER TABLE "Sales"."Order Items" OWNER TO app_owner;',
        'ALTER TABLE ONLY ops.events OWNER TO "Ops Team";',
        "ALTER FUNCTION public.f() OWNER TO app_owner;",
        'CREATE POLICY p ON "Sales"."Customer" FOR SELECT TO odd_app, "Read ""Only""" USING (true);',
        'GRANT USAGE ON SCHEMA "Sales" TO odd_app;',
        'GRANT SELECT,INSERT,UPDATE ON TABLE "Sales"."Customer" TO odd_app;',
        "GRANT ALL ON TABLE ops.events TO reporting WITH GRANT OPTION;",
        "GRANT SELECT(id) ON TABLE ops.secrets TO auditor;",
        "GRANT SELECT ON TABLE public.open TO PUBLIC;",
        "REVOKE ALL ON TABLE ops.events FROM ex_employee;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE deployer IN SCHEMA ops GRANT SELECT ON TABLES TO reporting;",
        "GRANT SELECT ON TABLE public.ünï TO lecteur;",
      ].join("\n") + "\n",
    );
    expect(r.owners).toEqual(["Ops Team", "app_owner"]);
    expect(r.roles).toEqual([
      "Ops Team",
      'Read "Only"',
      "app_owner",
      "auditor",
      "deployer",
      "ex_employee",
      "lecteur",
      "odd_app",
      "reporting",
    ]);
    expect(r.reads).toEqual([
      { role: "app_owner", table: '"Sales"."Order Items"' },
      { role: "Ops Team", table: "ops.events" },
      // The dump grants odd_app USAGE on "Sales" too: that must hold after the restore.
      { role: "odd_app", table: '"Sales"."Customer"', usage: true },
      { role: "reporting", table: "ops.events" },
      // A column grant does not let auditor read the table; PUBLIC is not a role.
      { role: "lecteur", table: "public.ünï" },
    ]);
  });

  test("lines inside COPY data are data, not statements", () => {
    const r = collect(
      [
        "COPY public.notes (body) FROM stdin;",
        "GRANT SELECT ON TABLE public.notes TO intruder;",
        "ALTER TABLE public.notes OWNER TO intruder;",
        "\\.",
        "GRANT SELECT ON TABLE public.notes TO app;",
      ].join("\n"),
    );
    expect(r.roles).toEqual(["app"]);
    expect(r.reads).toEqual([{ role: "app", table: "public.notes" }]);
  });
});
