/** A GraphQL enum (for registerEnumType) whose values are an analysis module's own constants, so the two cannot drift. */
export const graphqlEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((value) => [value, value])) as { [K in T]: K };
