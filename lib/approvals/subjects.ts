import "server-only";
import { z } from "zod";
import type { Tx } from "@/lib/runner/lock";
import { NotFoundError, UserError } from "@/lib/errors";
import { restoreLeftoversOf } from "@/lib/restores/leftovers-rule";
import { stepKeyOfAction } from "@/lib/restores/approval";
import { parseStoredJson } from "@/lib/stored-json";
import { ACTION_WORDS, type ApprovalAction, type ApprovalBinding } from "@/lib/approvals/rules";
import { retentionSubject } from "@/lib/retention/approval-subject";

// What an approval is about, read from Lifeboat's database inside the caller's transaction: the
// facts it is bound to, who may not approve it, and whether the action can be approved now.
// A restore run is the only subject so far; retention deletion adds its own resolver here.

export type ApprovalSubject = {
  subjectType: string;
  subjectId: string;
  environment: string;
  /** One line for the dashboard and the approver ("Switch-over of amani-production (run …)"). */
  summary: string;
  binding: ApprovalBinding;
  /** Who may not approve it: the people who planned or confirmed the run. */
  requesters: string[];
  /** Why it cannot be approved or used now (the step is not waiting), or null. */
  notReady: string | null;
  /** The run step the action completes, or null (dropping the kept copy is not a step). */
  stepIndex: number | null;
};

// The download step's result (lib/restores/steps.ts): only its sha256 matters here, read loosely
// so that fields added to that result later do not break approvals.
const downloadShaSchema = z.looseObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/) });

type Resolver = {
  subjectType: string;
  resolve: (tx: Tx, action: ApprovalAction, id: string) => Promise<ApprovalSubject>;
};

// One resolver per action. Retention deletion's subject is the database, bound to a hash of the
// backups it deletes as planHash (lib/retention/approval-subject.ts).
const RESOLVERS: Partial<Record<ApprovalAction, Resolver>> = {
  "run.switch-over": { subjectType: "run", resolve: (tx, action, id) => runSubject(tx, action, id) },
  "run.copy-back": { subjectType: "run", resolve: (tx, action, id) => runSubject(tx, action, id) },
  "run.drop-old-copy": { subjectType: "run", resolve: (tx, action, id) => runSubject(tx, action, id) },
  "retention.delete": { subjectType: "database", resolve: (tx, _action, id) => retentionSubject(tx, id) },
};

function resolverOf(action: ApprovalAction): Resolver {
  const r = RESOLVERS[action];
  if (!r) throw new UserError(`Approvals of ${ACTION_WORDS[action]} are not built yet.`, 400);
  return r;
}

export function subjectTypeOf(action: ApprovalAction): string {
  return resolverOf(action).subjectType;
}

export async function resolveSubject(tx: Tx, action: ApprovalAction, subjectId: string): Promise<ApprovalSubject> {
  return resolverOf(action).resolve(tx, action, subjectId);
}

async function runSubject(tx: Tx, action: ApprovalAction, runId: string): Promise<ApprovalSubject> {
  const run = await tx.run.findUnique({
    where: { id: runId },
    select: {
      id: true,
      status: true,
      plan: true,
      planHash: true,
      createdBy: true,
      confirmedBy: true,
      database: { select: { name: true, environment: true, host: true, port: true, dbName: true } },
      backup: { select: { id: true, key: true, etag: true, size: true } },
      steps: { select: { index: true, key: true, kind: true, status: true, result: true } },
    },
  });
  if (!run) throw new NotFoundError("The run");
  const download = run.steps.find((s) => s.key === "download" && s.status === "succeeded");
  let sha256: string | null = download?.result
    ? parseStoredJson(download.result, downloadShaSchema, "download step's result (RunStep.result)").sha256
    : null;
  if (sha256 === null && run.backup) {
    // Not downloaded by this run: the sha256 Lifeboat itself computed when it last verified it.
    const verified = await tx.verification.findFirst({
      where: { backupId: run.backup.id, status: "passed", sha256: { not: null } },
      orderBy: { startedAt: "desc" },
      select: { sha256: true },
    });
    sha256 = verified?.sha256 ?? null;
  }
  const binding: ApprovalBinding = {
    planHash: run.planHash,
    backupSha256: sha256,
    backupEtag: run.backup?.etag ?? null,
    backupSize: run.backup ? run.backup.size.toString() : null,
    targetHost: run.database.host,
    targetPort: run.database.port,
    targetDatabase: run.database.dbName,
  };
  let notReady: string | null = null;
  let stepIndex: number | null = null;
  let summary: string;
  const stepKey = stepKeyOfAction(action);
  if (stepKey !== null) {
    const step = run.steps.find((s) => s.key === stepKey);
    stepIndex = step?.index ?? null;
    if (!step) notReady = `This run has no ${ACTION_WORDS[action]} step.`;
    else if (step.status !== "waiting" || run.status !== "waiting")
      notReady = `The ${ACTION_WORDS[action]} step is not waiting (it is ${step.status}, the run is ${run.status}): there is nothing to approve now.`;
    summary = `${action === "run.copy-back" ? "Copy-back into" : "Switch-over of"} ${run.database.name} (${run.database.dbName} on ${run.database.host}:${run.database.port})`;
  } else {
    const { oldCopy } = restoreLeftoversOf(run.plan);
    if (run.status !== "succeeded" || oldCopy === null)
      notReady = "Only a restore that succeeded and kept an old copy has a copy to drop.";
    summary = `Drop ${oldCopy ?? "the kept copy"} of ${run.database.name} (on ${run.database.host}:${run.database.port})`;
  }
  return {
    subjectType: "run",
    subjectId: run.id,
    environment: run.database.environment,
    summary,
    binding,
    requesters: [run.createdBy, run.confirmedBy].filter((v): v is string => Boolean(v)),
    notReady,
    stepIndex,
  };
}
