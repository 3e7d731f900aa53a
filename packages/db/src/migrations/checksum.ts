import { createHash } from 'node:crypto';

/** Prisma's migration checksum: sha256 of migration.sql, lower-case hex. */
export function migrationChecksum(script: string | Buffer): string {
  return createHash('sha256').update(script).digest('hex');
}

/**
 * Prisma's comparison: the file still matches when only its line endings changed (git may check
 * it out with CRLF on Windows), so an LF or CRLF rendering of it may match the recorded checksum.
 */
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  const variants = [script, script.replace(/\r\n/g, '\n'), script.replace(/\n/g, '\r\n')];
  return variants.some((variant) => migrationChecksum(variant) === checksum);
}
