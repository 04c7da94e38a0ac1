// What an operator types to start a restore. Production's is the Lifeboat name and the
// database name ("amani-production/amani"), so that a staging copy with the same database name
// on another server cannot be confirmed by habit; staging and test keep the bare database name.
// Pure: the dialog shows exactly this text and the server checks exactly this text.

export function typedConfirmationOf(target: { name: string; environment: string; dbName: string }): string {
  return target.environment === "production" ? `${target.name}/${target.dbName}` : target.dbName;
}
