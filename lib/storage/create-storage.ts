import { AzureStorage } from "./azure";
import type { AzureConfig } from "./azure-config";
import { GcsStorage } from "./gcs";
import type { GcsConfig } from "./gcs-config";
import { LocalStorage } from "./local";
import type { LocalConfig } from "./local-config";
import { StorageError, type BackupStorage } from "./provider";
import { S3Storage } from "./s3";
import type { S3Config } from "./s3-config";

/** Any driver's configuration, told apart by `kind` (each driver's <kind>-config.ts owns its fields). */
export type StorageConfig =
  | ({ kind: "local" } & LocalConfig)
  | ({ kind: "s3" } & S3Config)
  | ({ kind: "azure" } & AzureConfig)
  | ({ kind: "gcs" } & GcsConfig);

export type StorageKind = StorageConfig["kind"];

/**
 * The driver for a Location's (decrypted) configuration. Throws StorageError
 * "invalid_config" when the kind is unknown or the configuration cannot work as given
 * (e.g. Azure with neither a connection string nor an account). Creating a driver does
 * no I/O; call probe() to find out whether the Location is reachable.
 */
export function createStorage(config: StorageConfig): BackupStorage {
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
      throw new StorageError(
        "invalid_config",
        `Unknown location kind ${JSON.stringify(kind)}: use local, s3, azure or gcs`,
      );
    }
  }
}
