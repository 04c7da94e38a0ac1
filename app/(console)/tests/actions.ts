"use server";

import { withRevalidation } from "@/lib/actions/define-command";
import {
  addTestRemarkCommand,
  closeTestActionCommand,
  countersignTestCommand,
  signTestCommand,
} from "@/lib/monthly-tests/sign-off/commands";

// Each write is declared in lib/monthly-tests/sign-off/commands.ts (role, input, audit event, handler).

export const signTestAction = withRevalidation(signTestCommand, "/tests", ["/tests/[id]", "page"], "/");
export const countersignTestAction = withRevalidation(countersignTestCommand, "/tests", ["/tests/[id]", "page"], "/");
export const addTestRemarkAction = withRevalidation(addTestRemarkCommand, ["/tests/[id]", "page"]);
export const closeTestActionAction = withRevalidation(closeTestActionCommand, "/tests", ["/tests/[id]", "page"], "/");
