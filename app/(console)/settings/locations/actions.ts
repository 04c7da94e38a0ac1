"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions/safe-action";
import { locationConfigSchema, locationIdSchema, saveLocationSchema } from "@/lib/locations/schemas";
import { deleteLocation, saveLocation, testLocation, testUnsavedLocation } from "@/lib/locations/mutations";
import { startLocationSync } from "@/lib/catalog/start-sync";

export const saveLocationAction = action("admin", saveLocationSchema, async (input, actor) => {
  const result = await saveLocation(input, actor);
  revalidatePath("/settings/locations");
  return result;
});

export const deleteLocationAction = action("admin", locationIdSchema, async (input, actor) => {
  const result = await deleteLocation(input, actor);
  revalidatePath("/settings/locations");
  return result;
});

export const testLocationAction = action("admin", locationIdSchema, testLocation);

export const testUnsavedLocationAction = action(
  "admin",
  z.object({ id: z.string().optional(), config: locationConfigSchema }),
  async (input) => testUnsavedLocation(input),
);

export const syncLocationAction = action("operator", locationIdSchema, startLocationSync);
