"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import { REPO_TYPES, type RepoOptions, type RepoSecretName, type RepoType } from "@/lib/pitr/repo-config";
import type { SaveWalArchiveInput } from "@/lib/pitr/schemas";
import { deleteWalArchiveAction, saveWalArchiveAction } from "./actions";

export type WalArchiveFormValues = {
  stanza: string;
  configPath: string | null;
  repoType: string;
  repoPath: string;
  options: RepoOptions;
  secretsSaved: RepoSecretName[];
  pgBinDir: string | null;
  walRpoMinutes: number;
};

const TYPE_LABEL: Record<RepoType, string> = {
  posix: "Folder on the recovery host (posix)",
  s3: "S3 or compatible",
  azure: "Azure Blob Storage",
  gcs: "Google Cloud Storage",
};

/** The WAL archive's settings (admin): where pgBackRest keeps this database's base backups and WAL. */
export function WalArchiveForm({ databaseId, current }: { databaseId: string; current: WalArchiveFormValues | null }) {
  const { pending, feedback, fieldError, run } = useServerAction();
  const [repoType, setRepoType] = useState<RepoType>(
    (REPO_TYPES as readonly string[]).includes(current?.repoType ?? "") ? (current?.repoType as RepoType) : "posix",
  );
  const o = current?.options ?? {};
  const saved = new Set(current?.secretsSaved ?? []);
  const secretHint = (n: RepoSecretName) => (saved.has(n) ? "Saved; leave empty to keep it." : undefined);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const s = (k: string) => String(f.get(k) ?? "").trim();
    const input: SaveWalArchiveInput = {
      databaseId,
      stanza: s("stanza"),
      configPath: s("configPath"),
      repoType,
      repoPath: s("repoPath"),
      s3Bucket: s("s3Bucket"),
      s3Endpoint: s("s3Endpoint"),
      s3Region: s("s3Region"),
      s3UriStyle: (s("s3UriStyle") || undefined) as "host" | "path" | undefined,
      azureAccount: s("azureAccount"),
      azureContainer: s("azureContainer"),
      azureEndpoint: s("azureEndpoint"),
      gcsBucket: s("gcsBucket"),
      gcsEndpoint: s("gcsEndpoint"),
      gcsKeyType: (s("gcsKeyType") || undefined) as "service" | "token" | "auto" | undefined,
      gcsKeyPath: s("gcsKeyPath"),
      verifyTls: f.get("verifyTls") === "on",
      cipherType: (s("cipherType") || "none") as "none" | "aes-256-cbc",
      s3Key: s("s3Key"),
      s3KeySecret: s("s3KeySecret"),
      s3Token: s("s3Token"),
      azureKey: s("azureKey"),
      gcsToken: s("gcsToken"),
      cipherPass: s("cipherPass"),
      pgBinDir: s("pgBinDir"),
      walRpoMinutes: s("walRpoMinutes"),
    };
    run(() => saveWalArchiveAction(input), {
      refresh: true,
      onSuccess: (r) =>
        (r.problems.length
          ? `Saved, but: ${r.problems.join(" ")}`
          : "Saved; the archive was read with these settings.") +
        (r.secretsDropped.length ? ` Secrets dropped: ${r.secretsDropped.join(", ")}.` : ""),
    });
  }

  function onRemove() {
    if (!window.confirm("Remove the WAL archive settings? pgBackRest's repository is not touched.")) return;
    run(() => deleteWalArchiveAction({ databaseId }), {
      refresh: true,
      onSuccess: () => "The WAL archive settings were removed.",
    });
  }

  const text = (name: string, label: string, value: string | undefined | null, hint?: string) => (
    <Field label={label} hint={hint} error={fieldError(name)}>
      <input name={name} defaultValue={value ?? ""} className={inputClass} autoComplete="off" />
    </Field>
  );
  const secret = (name: RepoSecretName, label: string) => (
    <Field label={label} hint={secretHint(name)} error={fieldError(name)}>
      <input name={name} type="password" className={inputClass} autoComplete="new-password" />
    </Field>
  );

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="space-y-3"
      aria-label="WAL archive settings"
      data-testid="wal-archive-form"
    >
      <div className="grid gap-3 sm:grid-cols-2">
        {text("stanza", "Stanza", current?.stanza, "The stanza name in pgBackRest's config, e.g. main")}
        <Field label="Repository type" error={fieldError("repoType")}>
          <select
            name="repoType"
            value={repoType}
            onChange={(e) => setRepoType(e.target.value as RepoType)}
            className={inputClass}
          >
            {REPO_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABEL[t]}
              </option>
            ))}
          </select>
        </Field>
        {text(
          "repoPath",
          "Repository path",
          current?.repoPath,
          repoType === "posix"
            ? "e.g. /var/lib/pgbackrest"
            : "The path inside the bucket or container, e.g. /pgbackrest",
        )}
        {text(
          "configPath",
          "pgBackRest config file (optional)",
          current?.configPath,
          "On the recovery host: a file in /etc/pgbackrest (or a folder listed in LIFEBOAT_PGBACKREST_CONFIG_DIRS) that runs no programs (no cmd-ssh, repo1-host-cmd, recovery-option); the fields here override it",
        )}
        {repoType === "s3" && (
          <>
            {text("s3Bucket", "Bucket", o.s3Bucket)}
            {text(
              "s3Endpoint",
              "Endpoint",
              o.s3Endpoint,
              "e.g. s3.eu-west-1.amazonaws.com (pgBackRest speaks https only)",
            )}
            {text("s3Region", "Region", o.s3Region)}
            <Field label="URI style" error={fieldError("s3UriStyle")}>
              <select name="s3UriStyle" defaultValue={o.s3UriStyle ?? "host"} className={inputClass}>
                <option value="host">host (bucket.endpoint)</option>
                <option value="path">path (endpoint/bucket)</option>
              </select>
            </Field>
            {secret("s3Key", "Access key")}
            {secret("s3KeySecret", "Secret key")}
            {secret("s3Token", "Session token (optional)")}
          </>
        )}
        {repoType === "azure" && (
          <>
            {text("azureAccount", "Storage account", o.azureAccount)}
            {text("azureContainer", "Container", o.azureContainer)}
            {text("azureEndpoint", "Endpoint (optional)", o.azureEndpoint, "Default: blob.core.windows.net")}
            {secret("azureKey", "Account key")}
          </>
        )}
        {repoType === "gcs" && (
          <>
            {text("gcsBucket", "Bucket", o.gcsBucket)}
            {text("gcsEndpoint", "Endpoint (optional)", o.gcsEndpoint)}
            <Field label="Credentials" error={fieldError("gcsKeyType")}>
              <select name="gcsKeyType" defaultValue={o.gcsKeyType ?? "service"} className={inputClass}>
                <option value="service">Service account key file on the recovery host</option>
                <option value="token">Access token</option>
                <option value="auto">The host&apos;s own credentials</option>
              </select>
            </Field>
            {text("gcsKeyPath", "Key file (for a service account)", o.gcsKeyPath)}
            {secret("gcsToken", "Access token (for token)")}
          </>
        )}
        {repoType !== "posix" && (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="verifyTls" defaultChecked={o.verifyTls !== false} /> Verify the server&apos;s
            TLS certificate
          </label>
        )}
        <Field label="Repository encryption" error={fieldError("cipherType")}>
          <select name="cipherType" defaultValue={o.cipherType ?? "none"} className={inputClass}>
            <option value="none">none</option>
            <option value="aes-256-cbc">aes-256-cbc</option>
          </select>
        </Field>
        {secret("cipherPass", "Encryption passphrase (if encrypted)")}
        {text(
          "pgBinDir",
          "PostgreSQL bin directory on the recovery host (optional)",
          current?.pgBinDir,
          "Default: /usr/lib/postgresql/<the database's major version>/bin",
        )}
        <Field
          label="WAL RPO (minutes)"
          hint="Red when the newest archived WAL is older than this while the database writes"
          error={fieldError("walRpoMinutes")}
        >
          <input
            name="walRpoMinutes"
            inputMode="numeric"
            defaultValue={String(current?.walRpoMinutes ?? 5)}
            className={inputClass}
          />
        </Field>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" disabled={pending} data-testid="save-wal-archive">
          {pending ? "Saving and reading the archive…" : "Save archive settings"}
        </Button>
        {current && (
          <Button type="button" variant="danger" disabled={pending} onClick={onRemove}>
            Remove archive settings
          </Button>
        )}
      </div>
      <Feedback feedback={feedback} testId="wal-archive-form-feedback" />
    </form>
  );
}
