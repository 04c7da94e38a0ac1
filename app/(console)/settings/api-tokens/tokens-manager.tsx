"use client";

import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass } from "@/components/ui/field";
import { Time } from "@/components/time";
import { useServerAction } from "@/components/ui/use-server-action";
import type { ApiTokenRow } from "@/lib/api-tokens/queries";
import { createApiTokenAction, revokeApiTokenAction } from "./actions";

export function TokensManager({
  tokens,
  databases,
}: {
  tokens: ApiTokenRow[];
  databases: { id: string; name: string }[];
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [all, setAll] = useState(false);
  const [issued, setIssued] = useState<{ name: string; token: string } | null>(null);
  const create = useServerAction();
  const revoke = useServerAction();

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setIssued(null);
    create.run(
      () =>
        createApiTokenAction({
          name: String(f.get("name") ?? ""),
          allDatabases: all,
          databaseIds: all ? [] : f.getAll("databaseIds").map(String),
        }),
      {
        onSuccess: (r) => {
          setIssued({ name: r.name, token: r.token });
          formRef.current?.reset();
          setAll(false);
        },
      },
    );
  }

  return (
    <div className="space-y-4">
      {issued && (
        <section
          className="rounded-lg border-2 border-amber-400 bg-amber-50 p-4 text-sm"
          role="status"
          data-testid="issued-token"
        >
          <h2 className="font-semibold">The token {issued.name}, shown this once</h2>
          <p className="mt-1 text-amber-900">
            Copy it into your pipeline&apos;s secret store now: Lifeboat keeps only its sha256 and cannot show it again.
            Lost it? Revoke it and issue another.
          </p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code className="min-w-0 rounded bg-white px-2 py-1 font-mono text-xs [overflow-wrap:anywhere]">
              {issued.token}
            </code>
            <CopyButton text={issued.token} />
          </div>
        </section>
      )}

      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="mb-2 font-semibold">Tokens</h2>
        <Feedback feedback={revoke.feedback} className="mb-2" />
        {tokens.length === 0 ? (
          <p className="text-sm text-slate-600">No token yet. Issue one below for each pipeline that takes backups.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="tokens">
            {tokens.map((t) => (
              <li key={t.id} className="flex flex-wrap items-start justify-between gap-2 py-2">
                <div className="min-w-0">
                  <p className="font-medium">
                    {t.name} <code className="font-mono text-xs text-slate-600">{t.prefix}…</code>
                    {t.revokedAt && <span className="ml-2 text-red-700">revoked</span>}
                  </p>
                  <p className="text-slate-600 [overflow-wrap:anywhere]">
                    May back up: {t.databases === null ? "every database" : t.databases.join(", ") || "nothing"}
                  </p>
                  <p className="text-xs text-slate-500">
                    Issued by {t.createdBy} <Time value={t.createdAt} /> · last used{" "}
                    {t.lastUsedAt ? <Time value={t.lastUsedAt} relative /> : "never"}
                    {t.revokedAt && (
                      <>
                        {" "}
                        · revoked by {t.revokedBy} <Time value={t.revokedAt} />
                      </>
                    )}
                  </p>
                </div>
                {!t.revokedAt && (
                  <Button
                    variant="danger"
                    size="sm"
                    disabled={revoke.pending}
                    onClick={() => {
                      if (window.confirm(`Revoke ${t.name}? Pipelines using it get 401 from now on.`))
                        revoke.run(() => revokeApiTokenAction({ id: t.id }), {
                          onSuccess: (r) => `Revoked ${r.name}.`,
                        });
                    }}
                  >
                    Revoke
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="mb-3 font-semibold">Issue a token</h2>
        <Feedback feedback={create.feedback} className="mb-3" testId="token-feedback" />
        <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-3">
          <Field label="Name" hint="What uses it, e.g. deploy pipeline" error={create.fieldError("name")}>
            <input name="name" className={inputClass} />
          </Field>
          <fieldset className="text-sm">
            <legend className="mb-1 font-medium">Databases it may back up</legend>
            <label className="inline-flex items-center gap-2">
              <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> every database (also
              those added later)
            </label>
            {!all && (
              <ul className="mt-1 grid gap-1 sm:grid-cols-2">
                {databases.map((d) => (
                  <li key={d.id}>
                    <label className="inline-flex items-center gap-2">
                      <input type="checkbox" name="databaseIds" value={d.id} /> {d.name}
                    </label>
                  </li>
                ))}
              </ul>
            )}
            {create.fieldError("databaseIds") && (
              <p className="mt-1 text-xs text-red-700">{create.fieldError("databaseIds")}</p>
            )}
          </fieldset>
          <Button type="submit" variant="primary" loading={create.pending} loadingText="Issuing…">
            Issue the token
          </Button>
        </form>
      </section>
    </div>
  );
}
