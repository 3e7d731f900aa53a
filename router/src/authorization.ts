import {
  GraphQLError,
  Kind,
  getNamedType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  parse,
  type ConstDirectiveNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
} from 'graphql';
import { hasScope, isAdmin, type Identity } from '@supergraph/identity';
import { clientError } from '@supergraph/server';

/** One @authenticated / @requiresScopes declaration: scopes are alternatives (any) of sets (all). */
interface Requirement {
  authenticated: boolean;
  scopes?: string[][];
}

const SECURITY_LINK = /(@link\(url:\s*"https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes)\/v[\d.]+")\s*,\s*for:\s*SECURITY\s*\)/g;

/**
 * The authorization declared in the supergraph (Federation 2.5 `@authenticated` and
 * `@requiresScopes`, on fields and on types), read once at start.
 *
 * @apollo/gateway refuses supergraphs that link SECURITY features it does not enforce itself; the
 * router enforces these two before the gateway sees the operation, so it hands the gateway the
 * supergraph with those two links' `for: SECURITY` removed.
 */
export class AuthorizationPolicy {
  /** `Type.field` → what it takes to read it (the field's own requirements and its type's). */
  private readonly fields = new Map<string, Requirement[]>();
  readonly gatewaySdl: string;

  constructor(supergraphSdl: string) {
    this.gatewaySdl = supergraphSdl.replace(SECURITY_LINK, '$1)');
    const typeRequirements = new Map<string, Requirement>();
    const fieldDeclarations: [string, string, string, Requirement | undefined][] = [];
    for (const definition of parse(supergraphSdl, { noLocation: true }).definitions) {
      if (!('name' in definition) || !definition.name || !('directives' in definition)) continue;
      const typeName = definition.name.value;
      const onType = requirementOf(definition.directives);
      if (onType) typeRequirements.set(typeName, merge(typeRequirements.get(typeName), onType));
      if ('fields' in definition && definition.fields) {
        for (const field of definition.fields) {
          if (field.kind !== Kind.FIELD_DEFINITION) continue;
          let named = field.type;
          while (named.kind !== Kind.NAMED_TYPE) named = named.type;
          fieldDeclarations.push([typeName, field.name.value, named.name.value, requirementOf(field.directives)]);
        }
      }
    }
    for (const [typeName, fieldName, returns, own] of fieldDeclarations) {
      const all = [own, typeRequirements.get(typeName), typeRequirements.get(returns)].filter((requirement): requirement is Requirement => !!requirement);
      if (all.length) this.fields.set(`${typeName}.${fieldName}`, all);
    }
  }

  get empty(): boolean {
    return this.fields.size === 0;
  }

  requirements(typeName: string, fieldName: string): Requirement[] | undefined {
    return this.fields.get(`${typeName}.${fieldName}`);
  }
}

function requirementOf(directives: readonly (ConstDirectiveNode | DirectiveNode)[] | undefined): Requirement | undefined {
  let requirement: Requirement | undefined;
  for (const directive of directives ?? []) {
    if (directive.name.value === 'authenticated') requirement = merge(requirement, { authenticated: true });
    if (directive.name.value === 'requiresScopes') {
      const argument = directive.arguments?.find((arg) => arg.name.value === 'scopes')?.value;
      const scopes =
        argument?.kind === Kind.LIST
          ? argument.values.map((group) => (group.kind === Kind.LIST ? group.values.flatMap((scope) => (scope.kind === Kind.STRING ? [scope.value] : [])) : []))
          : [];
      requirement = merge(requirement, { authenticated: true, scopes });
    }
  }
  return requirement;
}

function merge(a: Requirement | undefined, b: Requirement): Requirement {
  if (!a) return b;
  // Both must hold: every pair of alternatives combined.
  const scopes = a.scopes && b.scopes ? a.scopes.flatMap((left) => b.scopes!.map((right) => [...left, ...right])) : (a.scopes ?? b.scopes);
  return { authenticated: a.authenticated || b.authenticated, ...(scopes ? { scopes } : {}) };
}

/** A scope the identity holds: API key scopes for read/write, the ADMIN role (and key scope) for admin. */
function holds(identity: Identity, scope: string): boolean {
  return scope === 'admin' ? isAdmin(identity) : hasScope(identity, scope);
}

function denial(requirements: Requirement[], identity: Identity): GraphQLError | undefined {
  for (const requirement of requirements) {
    if (identity.kind !== 'user') {
      return clientError('UNAUTHENTICATED', 'You must be signed in to read this field');
    }
    if (requirement.scopes && !requirement.scopes.some((all) => all.every((scope) => holds(identity, scope)))) {
      const wanted = requirement.scopes.map((all) => all.join(' and ')).join(' or ');
      return clientError('FORBIDDEN', `This field requires the scope ${wanted}`, { requiredScopes: requirement.scopes });
    }
  }
  return undefined;
}

export interface AuthorizedOperation {
  /** The operation without the fields the caller may not read; undefined when nothing is left to run. */
  document?: DocumentNode;
  /** Distinguishes the plan cache entry of this rewritten operation. */
  signature: string;
  errors: GraphQLError[];
  /** Response paths (keys) to set to null in the result. */
  nullPaths: string[][];
  /** A removed non-null root field: the whole data is null. */
  dataIsNull: boolean;
}

type FieldOutcome = FieldNode | 'removed' | 'bubble';

/**
 * Removes from the operation every field the caller may not read, before the gateway plans it,
 * so no subgraph is ever asked for them. Each removed field comes back as null with an error at
 * its path (a non-null one nulls its nearest nullable parent, as GraphQL execution would).
 */
export class OperationAuthorizer {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly policy: AuthorizationPolicy,
  ) {}

  /** undefined: nothing to remove. Called only for operations the pipeline's walk found reading a protected field. */
  authorize(document: DocumentNode, operation: OperationDefinitionNode, identity: Identity): AuthorizedOperation | undefined {
    if (this.policy.empty) return undefined;
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);

    const errors: GraphQLError[] = [];
    const nullPaths: string[][] = [];
    let changed = false;

    const rewriteField = (field: FieldNode, parent: GraphQLNamedType | undefined, path: string[]): FieldOutcome => {
      if (!parent || !(isObjectType(parent) || isInterfaceType(parent))) return field;
      const definition = parent.getFields()[field.name.value];
      if (!definition) return field;
      const fieldPath = [...path, field.alias?.value ?? field.name.value];
      const drop = (): FieldOutcome => {
        changed = true;
        if (isNonNullType(definition.type)) return 'bubble';
        nullPaths.push(fieldPath);
        return 'removed';
      };
      const requirements = this.policy.requirements(parent.name, field.name.value);
      const refused = requirements && denial(requirements, identity);
      if (refused) {
        errors.push(new GraphQLError(refused.message, { path: fieldPath, extensions: refused.extensions }));
        return drop();
      }
      if (!field.selectionSet) return field;
      const inner = rewrite(field.selectionSet.selections, getNamedType(definition.type), fieldPath);
      if (inner.bubble || inner.selections.length === 0) return drop();
      return { ...field, selectionSet: { kind: Kind.SELECTION_SET, selections: inner.selections } };
    };

    // Fragment spreads are inlined: a fragment used in two places may lose fields in one only.
    const rewrite = (
      selections: readonly SelectionNode[],
      parent: GraphQLNamedType | undefined,
      path: string[],
    ): { selections: SelectionNode[]; bubble: boolean } => {
      const out: SelectionNode[] = [];
      let bubble = false;
      for (const selection of selections) {
        if (selection.kind === Kind.FIELD) {
          const outcome = rewriteField(selection, parent, path);
          if (outcome === 'bubble') bubble = true;
          else if (outcome !== 'removed') out.push(outcome);
          continue;
        }
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment) continue;
        const typed = fragment.typeCondition ? this.schema.getType(fragment.typeCondition.name.value) : parent;
        const inner = rewrite(fragment.selectionSet.selections, typed ?? parent, path);
        if (inner.bubble) bubble = true;
        if (inner.selections.length > 0) {
          out.push({
            kind: Kind.INLINE_FRAGMENT,
            typeCondition: fragment.typeCondition,
            directives: selection.directives,
            selectionSet: { kind: Kind.SELECTION_SET, selections: inner.selections },
          });
        }
      }
      return { selections: out, bubble };
    };

    const root = rewrite(operation.selectionSet.selections, this.schema.getRootType(operation.operation) ?? undefined, []);
    if (!changed) return undefined;
    const runnable = !root.bubble && root.selections.length > 0;
    return {
      document: runnable
        ? { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet: { kind: Kind.SELECTION_SET, selections: root.selections } }] }
        : undefined,
      signature:
        nullPaths
          .map((path) => path.join('.'))
          .sort()
          .join(',') + (root.bubble ? '!' : ''),
      errors,
      nullPaths,
      dataIsNull: root.bubble,
    };
  }
}

/** Sets each path to null in the result data, through lists. */
export function applyNulls(data: Record<string, unknown>, paths: string[][]): void {
  const set = (value: unknown, path: string[]): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) set(item, path);
      return;
    }
    const [key, ...rest] = path;
    if (key === undefined) return;
    const object = value as Record<string, unknown>;
    if (rest.length === 0) object[key] = null;
    else set(object[key], rest);
  };
  for (const path of paths) set(data, path);
}

/** What an executor returns for one operation: GraphQL's execution result, errors not yet formatted. */
export interface ExecutorResult {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLError[];
  extensions?: Record<string, unknown>;
}

/**
 * Runs an operation as the pipeline's authorization stage decided (every transport's queries and
 * mutations pass here, stage 10): without the fields the caller may not read, which come back null
 * with their errors. `execute` runs a document under its plan cache key: the authorized rewrite has
 * a key of its own.
 */
export async function executeAuthorized(
  authorized: AuthorizedOperation | undefined,
  document: DocumentNode,
  queryHash: string,
  execute: (document: DocumentNode, queryHash: string) => Promise<ExecutorResult>,
): Promise<ExecutorResult> {
  if (!authorized) return execute(document, queryHash);
  const result = authorized.document ? await execute(authorized.document, `${queryHash}|authz:${authorized.signature}`) : { data: {} };
  if (authorized.dataIsNull) return { data: null, errors: [...authorized.errors, ...(result.errors ?? [])] };
  const data = (result.data ?? {}) as Record<string, unknown>;
  if (result.data !== null) applyNulls(data, authorized.nullPaths);
  return { ...result, data: result.data === null ? null : data, errors: [...authorized.errors, ...(result.errors ?? [])] };
}
