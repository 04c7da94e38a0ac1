"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import { SSL_MODE_LABELS, SSL_MODES, type SslMode } from "@/lib/postgres/tls";
import { QUERY_COMPARATORS } from "@/lib/monthly-tests/record-schemas";
import {
  BACKUP_CHOICE_LABELS,
  BACKUP_CHOICES,
  COMPARATOR_LABELS,
  CREATION_LABELS,
  CREATION_MODES,
  DEFAULT_TEST_CRON,
} from "@/lib/monthly-tests/plan-schema";
import { deleteTestPlanAction, saveTestPlanAction } from "./actions";

type Comparator = (typeof QUERY_COMPARATORS)[number];
type QueryRow = {
  key: number;
  name: string;
  sql: string;
  comparator: Comparator;
  expected: string;
  manifestTable: string;
};

export type PlanFormValues = {
  enabled: boolean;
  cron: string | null;
  backupChoice: string;
  randomDays: number;
  creation: string;
  creationMaxAgeHours: number;
  testHost: string;
  testPort: number;
  testUser: string;
  hasPassword: boolean;
  testSslmode: string;
  testSslRootCert: string | null;
  scratchPrefix: string;
  keepScratchHours: number;
  queryTimeoutSeconds: number;
  queries: { name: string; sql: string; comparator: string; expected: string; manifestTable: string }[];
};

const EXAMPLE_QUERY: Omit<QueryRow, "key"> = {
  name: "Users exist",
  sql: "SELECT count(*) FROM users",
  comparator: "gte",
  expected: "1000",
  manifestTable: "",
};

/** The admin's test plan of one database: when, which backup, where to restore, what to check. */
export function PlanForm({
  databaseId,
  databaseName,
  plan,
  canEdit,
}: {
  databaseId: string;
  databaseName: string;
  plan: PlanFormValues | null;
  canEdit: boolean;
}) {
  const router = useRouter();
  const { pending, feedback, fieldError, run } = useServerAction();
  const remove = useServerAction();
  const [onSchedule, setOnSchedule] = useState(plan ? plan.cron !== null : true);
  const [choice, setChoice] = useState(plan?.backupChoice ?? "newest_verified");
  const [creation, setCreation] = useState(plan?.creation ?? "scheduled");
  const [nextKey, setNextKey] = useState(1000);
  const [queries, setQueries] = useState<QueryRow[]>(
    (plan?.queries ?? [EXAMPLE_QUERY]).map((q, i) => ({
      ...q,
      key: i,
      comparator: (QUERY_COMPARATORS as readonly string[]).includes(q.comparator) ? (q.comparator as Comparator) : "eq",
    })),
  );
  const setQuery = (key: number, patch: Partial<QueryRow>) =>
    setQueries((qs) => qs.map((q) => (q.key === key ? { ...q, ...patch } : q)));

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (name: string) => String(f.get(name) ?? "");
    run(
      () =>
        saveTestPlanAction({
          databaseId,
          enabled: f.get("enabled") === "on",
          cron: onSchedule ? text("cron") || DEFAULT_TEST_CRON : "",
          backupChoice: text("backupChoice") as (typeof BACKUP_CHOICES)[number],
          randomDays: text("randomDays") || "30",
          creation: text("creation") as (typeof CREATION_MODES)[number],
          creationMaxAgeHours: text("creationMaxAgeHours") || "26",
          testHost: text("testHost"),
          testPort: text("testPort"),
          testUser: text("testUser"),
          testPassword: text("testPassword"),
          clearTestPassword: f.get("clearTestPassword") === "on",
          testSslmode: text("testSslmode") as SslMode,
          testSslRootCert: text("testSslRootCert"),
          scratchPrefix: text("scratchPrefix"),
          keepScratchHours: text("keepScratchHours"),
          queryTimeoutSeconds: text("queryTimeoutSeconds"),
          queries: queries.map(({ name, sql, comparator, expected, manifestTable }) => ({
            name,
            sql,
            comparator,
            expected,
            manifestTable,
          })),
        }),
      {
        onSuccess: () => {
          router.push("/tests/plans");
          return `Test plan of ${databaseName} saved.`;
        },
      },
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6" aria-label={`Test plan of ${databaseName}`}>
      <fieldset disabled={!canEdit} className="space-y-6">
        <section className="space-y-3">
          <h2 className="text-base font-semibold">When</h2>
          <div className="flex flex-wrap gap-4 text-sm">
            <label className="inline-flex items-center gap-2">
              <input type="radio" name="when" checked={onSchedule} onChange={() => setOnSchedule(true)} /> On a schedule
            </label>
            <label className="inline-flex items-center gap-2">
              <input type="radio" name="when" checked={!onSchedule} onChange={() => setOnSchedule(false)} /> On demand
              only (Run test now)
            </label>
          </div>
          {onSchedule && (
            <Field
              label="Schedule (cron, UTC)"
              hint={
                <>
                  <code className="whitespace-nowrap">0 3 * * MON#1</code> is the first Monday of each month at 03:00
                  UTC (the default)
                </>
              }
              error={fieldError("cron")}
            >
              <input
                name="cron"
                defaultValue={plan?.cron ?? DEFAULT_TEST_CRON}
                className={`${inputClass} font-mono sm:max-w-xs`}
              />
            </Field>
          )}
          <label className="inline-flex items-center gap-2 text-sm">
            <input type="checkbox" name="enabled" defaultChecked={plan?.enabled ?? true} /> Enabled (a turned-off plan
            starts no scheduled test; Run test now still works)
          </label>
        </section>

        <section className="space-y-3">
          <h2 className="text-base font-semibold">Which backup</h2>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="Creation step" error={fieldError("creation")}>
              <select
                name="creation"
                value={creation}
                onChange={(e) => setCreation(e.target.value)}
                className={inputClass}
              >
                {CREATION_MODES.map((m) => (
                  <option key={m} value={m}>
                    {CREATION_LABELS[m]}
                  </option>
                ))}
              </select>
            </Field>
            {creation === "scheduled" ? (
              <Field
                label="The scheduled backup may be at most (hours old)"
                hint="Older: the test records that the backup job is late."
                error={fieldError("creationMaxAgeHours")}
              >
                <input
                  name="creationMaxAgeHours"
                  type="number"
                  min={1}
                  defaultValue={plan?.creationMaxAgeHours ?? 26}
                  className={inputClass}
                />
              </Field>
            ) : (
              <p className="self-end text-xs text-slate-600">
                The fresh backup goes to the database&apos;s schedule location and is the one tested.
              </p>
            )}
            {creation === "scheduled" && (
              <Field label="Test" error={fieldError("backupChoice")}>
                <select
                  name="backupChoice"
                  value={choice}
                  onChange={(e) => setChoice(e.target.value)}
                  className={inputClass}
                >
                  {BACKUP_CHOICES.map((c) => (
                    <option key={c} value={c}>
                      {BACKUP_CHOICE_LABELS[c]}
                    </option>
                  ))}
                </select>
              </Field>
            )}
            {creation === "scheduled" && choice === "random_recent" && (
              <Field
                label="Random within the last (days)"
                hint="Re-testing yesterday's backup forever proves little."
                error={fieldError("randomDays")}
              >
                <input
                  name="randomDays"
                  type="number"
                  min={1}
                  defaultValue={plan?.randomDays ?? 30}
                  className={inputClass}
                />
              </Field>
            )}
            {creation === "fresh" && <input type="hidden" name="backupChoice" value={choice} />}
            {!(creation === "scheduled" && choice === "random_recent") && (
              <input type="hidden" name="randomDays" value={plan?.randomDays ?? 30} />
            )}
            {creation !== "scheduled" && (
              <input type="hidden" name="creationMaxAgeHours" value={plan?.creationMaxAgeHours ?? 26} />
            )}
          </div>
        </section>

        <section className="space-y-3">
          <h2 className="text-base font-semibold">Where to restore: the test server</h2>
          <p className="text-xs text-slate-600">
            A separate server: never a production server nor {databaseName}&apos;s own (refused on save and again before
            each run). The user needs CREATEDB; the password is stored encrypted.
          </p>
          <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
            <Field label="Host" error={fieldError("testHost")}>
              <input name="testHost" defaultValue={plan?.testHost ?? ""} className={inputClass} autoComplete="off" />
            </Field>
            <Field label="Port" error={fieldError("testPort")}>
              <input
                name="testPort"
                type="number"
                min={1}
                max={65535}
                defaultValue={plan?.testPort ?? 5432}
                className={inputClass}
              />
            </Field>
            <Field label="User" error={fieldError("testUser")}>
              <input name="testUser" defaultValue={plan?.testUser ?? ""} className={inputClass} autoComplete="off" />
            </Field>
            <Field
              label="Password"
              hint={plan?.hasPassword ? "A password is stored: leave empty to keep it." : "None stored."}
              error={fieldError("testPassword")}
            >
              <input name="testPassword" type="password" className={inputClass} autoComplete="new-password" />
            </Field>
            <Field label="TLS" error={fieldError("testSslmode")} className="sm:col-span-2">
              <select name="testSslmode" defaultValue={plan?.testSslmode ?? "verify-full"} className={inputClass}>
                {SSL_MODES.map((m) => (
                  <option key={m} value={m}>
                    {SSL_MODE_LABELS[m]}
                  </option>
                ))}
              </select>
            </Field>
            {plan?.hasPassword && (
              <label className="inline-flex items-center gap-2 self-end text-sm">
                <input type="checkbox" name="clearTestPassword" /> Remove the stored password
              </label>
            )}
          </div>
          <Field
            label="CA certificate (PEM, for verify-ca / verify-full)"
            hint="Empty: the console's default (~/.postgresql/root.crt)."
            error={fieldError("testSslRootCert")}
          >
            <textarea
              name="testSslRootCert"
              rows={3}
              defaultValue={plan?.testSslRootCert ?? ""}
              className={`${inputClass} font-mono text-xs`}
            />
          </Field>
          <div className="grid gap-3 sm:grid-cols-3">
            <Field
              label="Scratch database prefix"
              hint="Named <prefix><yyyymmdd>_<id>, e.g. lifeboat_test_20261207_a1b2c3d4."
              error={fieldError("scratchPrefix")}
            >
              <input
                name="scratchPrefix"
                defaultValue={plan?.scratchPrefix ?? "lifeboat_test_"}
                className={`${inputClass} font-mono`}
              />
            </Field>
            <Field
              label="Keep the scratch database (hours)"
              hint="0 drops it as soon as the test ends."
              error={fieldError("keepScratchHours")}
            >
              <input
                name="keepScratchHours"
                type="number"
                min={0}
                defaultValue={plan?.keepScratchHours ?? 0}
                className={inputClass}
              />
            </Field>
            <Field label="Query timeout (seconds)" error={fieldError("queryTimeoutSeconds")}>
              <input
                name="queryTimeoutSeconds"
                type="number"
                min={1}
                defaultValue={plan?.queryTimeoutSeconds ?? 30}
                className={inputClass}
              />
            </Field>
          </div>
        </section>

        <section className="space-y-3" aria-labelledby="queries-heading">
          <h2 id="queries-heading" className="text-base font-semibold">
            Validation queries
          </h2>
          <p className="text-xs text-slate-600">
            Each is one read-only statement (SELECT, WITH, VALUES or TABLE), run on the restored copy in a read-only
            transaction with the timeout above. The first column of the first row is compared with the expectation.
          </p>
          {fieldError("queries") && <p className="text-xs text-red-700">{fieldError("queries")}</p>}
          {queries.length === 0 && (
            <p className="text-sm text-slate-600">
              No validation queries: the test checks row counts against the manifest only.
            </p>
          )}
          <ol className="space-y-3">
            {queries.map((q, i) => (
              <li key={q.key} className="space-y-2 rounded-md border border-slate-200 p-3" data-testid="test-query">
                <div className="grid gap-3 sm:grid-cols-3">
                  <Field label={`Query ${i + 1}: name`} error={fieldError(`queries.${i}.name`)}>
                    <input
                      value={q.name}
                      onChange={(e) => setQuery(q.key, { name: e.target.value })}
                      className={inputClass}
                    />
                  </Field>
                  <Field label="Result must be" error={fieldError(`queries.${i}.comparator`)}>
                    <select
                      value={q.comparator}
                      onChange={(e) => setQuery(q.key, { comparator: e.target.value as Comparator })}
                      className={inputClass}
                    >
                      {QUERY_COMPARATORS.map((c) => (
                        <option key={c} value={c}>
                          {COMPARATOR_LABELS[c]}
                        </option>
                      ))}
                    </select>
                  </Field>
                  {q.comparator === "eq_manifest" ? (
                    <Field
                      label="Manifest table"
                      hint="e.g. users or public.users"
                      error={fieldError(`queries.${i}.manifestTable`)}
                    >
                      <input
                        value={q.manifestTable}
                        onChange={(e) => setQuery(q.key, { manifestTable: e.target.value })}
                        className={`${inputClass} font-mono`}
                      />
                    </Field>
                  ) : (
                    <Field label="Expected value" error={fieldError(`queries.${i}.expected`)}>
                      <input
                        value={q.expected}
                        onChange={(e) => setQuery(q.key, { expected: e.target.value })}
                        className={`${inputClass} font-mono`}
                      />
                    </Field>
                  )}
                </div>
                <Field label="SQL" error={fieldError(`queries.${i}.sql`)}>
                  <textarea
                    value={q.sql}
                    rows={2}
                    onChange={(e) => setQuery(q.key, { sql: e.target.value })}
                    className={`${inputClass} font-mono text-xs`}
                    spellCheck={false}
                  />
                </Field>
                <Button
                  type="button"
                  size="sm"
                  variant="ghost"
                  onClick={() => setQueries((qs) => qs.filter((x) => x.key !== q.key))}
                >
                  Remove query {i + 1}
                </Button>
              </li>
            ))}
          </ol>
          <Button
            type="button"
            size="sm"
            onClick={() => {
              setQueries((qs) => [...qs, { ...EXAMPLE_QUERY, name: "", sql: "", expected: "", key: nextKey }]);
              setNextKey((k) => k + 1);
            }}
          >
            Add a query
          </Button>
        </section>
      </fieldset>

      <Feedback feedback={feedback ?? remove.feedback} testId="plan-feedback" />
      {canEdit ? (
        <div className="flex flex-wrap gap-2">
          <Button type="submit" variant="primary" loading={pending} loadingText="Saving…" data-testid="save-plan">
            Save the test plan
          </Button>
          {plan && (
            <Button
              type="button"
              variant="danger"
              loading={remove.pending}
              loadingText="Removing…"
              onClick={() => {
                if (window.confirm(`Remove the test plan of ${databaseName}? Its recorded tests are kept.`))
                  remove.run(() => deleteTestPlanAction({ databaseId }), {
                    onSuccess: () => {
                      router.push("/tests/plans");
                    },
                  });
              }}
            >
              Remove the plan
            </Button>
          )}
        </div>
      ) : (
        <p className="text-sm text-slate-600">Only an admin can change a test plan.</p>
      )}
    </form>
  );
}
