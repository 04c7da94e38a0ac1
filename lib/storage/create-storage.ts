import type { LocationConfig } from "@/lib/locations/schemas";
import { AzureStorage } from "./azure";
import { GcsStorage } from "./gcs";
import { LocalStorage } from "./local";
import { StorageError, type BackupStorage } from "./provider";
import { S3Storage } from "./s3";

/**
 * The driver for a Location's (decrypted) configuration. Throws StorageError
 * "invalid_config" when the kind is unknown or the configuration cannot work as given
 * (e.g. Azure with neither a connection string nor an account). Creating a driver does
 * no I/O; call probe() to find out whether the Location is reachable.
 */
export function createStorage(config: LocationConfig): BackupStorage {
  switch (config.kind) {
    case "local":
      return new LocalStorage(config);
    case "s3":
      return new S3Storage(config);
    case "azure":
      return new AzureStorage(config);
    case "gcs":
      return new GcsStorage(config);
    default: {
      const kind = (config as { kind?: unknown }).kind;
      throw new StorageError("invalid_config", `Unknown location kind ${JSON.stringify(kind)}: use local, s3, azure or gcs`);
    }
  }
}
