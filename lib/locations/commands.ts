import "server-only";
import { z } from "zod";
import { defineCommand } from "@/lib/actions/define-command";
import { locationConfigSchema, locationIdSchema, saveLocationSchema } from "@/lib/locations/schemas";
import { deleteLocation, saveLocation, testLocation, testUnsavedLocation } from "@/lib/locations/mutations";
import { startLocationSync } from "@/lib/catalog/start-sync";
import { addressOf, splitConfig } from "@/lib/locations/config";
import { reassignCatalog } from "@/lib/catalog/assign";

export const saveLocationCommand = defineCommand({
  name: "locations.save",
  transaction: true,
  role: "admin",
  input: saveLocationSchema,
  handler: async (input) => {
    const saved = await saveLocation(input);
    // A changed prefix changes the keys the databases' patterns see.
    const catalog = input.id ? await reassignCatalog([saved.id]) : { reassigned: 0 };
    return { ...saved, catalog };
  },
  audit: {
    action: (input) => (input.id ? "location.update" : "location.create"),
    targetType: "location",
    targetId: (_, r) => r.id,
    // Which secret fields are stored, never their values.
    detail: (_, r) => ({
      name: r.name,
      kind: r.kind,
      secretFields: r.secretFields,
      secretsDropped: r.secretsDropped,
      catalogRowsReassigned: r.catalog.reassigned,
    }),
  },
});

export const deleteLocationCommand = defineCommand({
  name: "locations.delete",
  transaction: true,
  role: "admin",
  input: locationIdSchema,
  handler: (input) => deleteLocation(input),
  audit: {
    action: "location.delete",
    targetType: "location",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({
      name: r.name,
      catalogRowsRemoved: r.catalogRowsRemoved,
      note: "objects in storage untouched",
    }),
  },
});

export const testLocationCommand = defineCommand({
  name: "locations.test-connection",
  role: "admin",
  input: locationIdSchema,
  handler: (input) => testLocation(input),
  audit: {
    action: "location.test",
    targetType: "location",
    targetId: (input) => input.id,
    detail: (_, r) => ({ ok: r.ok }),
  },
});

// The server reaches out to whatever endpoint the form names, so the attempt is recorded too.
export const testUnsavedLocationCommand = defineCommand({
  name: "locations.test-unsaved",
  role: "admin",
  input: z.object({ id: z.string().optional(), config: locationConfigSchema }),
  handler: (input) => testUnsavedLocation(input),
  audit: {
    action: "location.test_unsaved",
    targetType: "location",
    targetId: (input) => input.id ?? null,
    // Where the server reached out and which secret fields were typed: names, never values.
    detail: (input, r) => ({
      kind: input.config.kind,
      address: addressOf(input.config),
      secretFieldsTyped: Object.keys(splitConfig(input.config).secrets),
      ok: r.ok,
    }),
  },
});

export const syncLocationCommand = defineCommand({
  name: "locations.sync",
  role: "operator",
  input: locationIdSchema,
  handler: (input) => startLocationSync(input),
  audit: {
    action: "location.sync",
    targetType: "location",
    targetId: (input) => input.id,
    detail: (_, r) => ({ name: r.name }),
  },
});
