/**
 * The small parsers every service's loader is built from. Each takes the environment and the
 * variable's name, so an error always names the variable a user has to fix.
 */

export type Env = Record<string, string | undefined>;

/** The variable's value, or undefined when it is unset or empty. */
export function text(env: Env, name: string): string | undefined {
  return env[name] || undefined;
}

/** A non-negative integer. */
export function int(env: Env, name: string, fallback: number): number {
  return parseInteger(env[name], fallback, name);
}

/** A non-negative integer when set, else undefined. */
export function optionalInt(env: Env, name: string): number | undefined {
  return env[name] ? parseInteger(env[name], 0, name) : undefined;
}

/** On for 1, true, yes or on (any case); off for anything else; the fallback when unset. */
export function flag(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name];
  return value === undefined || value === '' ? fallback : /^(1|true|yes|on)$/i.test(value);
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
}

/** A comma-separated list, entries trimmed, empty entries dropped. */
export function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** Three numbers for the tiers ENTERPRISE, PRO and FREE, written `6:3:1` in the environment. */
export type PerTier = { ENTERPRISE: number; PRO: number; FREE: number };

/** Three positive integers ENTERPRISE:PRO:FREE. */
export function perTier(env: Env, name: string, fallback: string): PerTier {
  const value = env[name];
  const parts = (value || fallback).split(':').map((part) => parseInteger(part.trim(), -1, name));
  if (parts.length !== 3 || parts.some((part) => part < 1)) throw new Error(`${name} must be three positive integers ENTERPRISE:PRO:FREE, got "${value}"`);
  const [ENTERPRISE, PRO, FREE] = parts as [number, number, number];
  return { ENTERPRISE, PRO, FREE };
}

/** Numbers by tier name, written `PRO=1000,ENTERPRISE=10000`; names are upper-cased. */
export function tierTable(env: Env, name: string, fallback = ''): Record<string, number> {
  const table: Record<string, number> = {};
  for (const entry of list({ [name]: env[name] || fallback }, name)) {
    const [tier, amount] = entry.split('=');
    if (!tier || amount === undefined) throw new Error(`${name} entries look like PRO=1000, got "${entry}"`);
    table[tier.trim().toUpperCase()] = parseInteger(amount.trim(), -1, name);
  }
  return table;
}

/** Values of every variable named `<prefix><NAME><suffix>`, keyed by the lower-cased NAME (e.g. SUBGRAPH_USERS_URL → users). */
export function byName(env: Env, prefix: string, suffix: string): Record<string, string> {
  const pattern = new RegExp(`^${prefix}([A-Z0-9_]+)${suffix}$`);
  const values: Record<string, string> = {};
  // Reads only the matching variables' values (the compose test checks which variables a loader reads).
  for (const key of Object.keys(env)) {
    const name = pattern.exec(key)?.[1];
    const value = name && env[key];
    if (name && value) values[name.toLowerCase()] = value;
  }
  return values;
}

/**
 * A setting whose default only works on a developer's machine (a localhost URL, an address from a
 * local deployment file): in production it must be set.
 */
export function deploymentSetting(env: Env, name: string, production: boolean, developmentDefault: string): string;
export function deploymentSetting(env: Env, name: string, production: boolean): string | undefined;
export function deploymentSetting(env: Env, name: string, production: boolean, developmentDefault?: string): string | undefined {
  const value = text(env, name);
  if (value) return value;
  if (production) throw new Error(`${name} must be set in production`);
  return developmentDefault;
}

function parseInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}
