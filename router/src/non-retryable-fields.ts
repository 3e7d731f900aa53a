import { Kind, parse, TypeInfo, visit, visitWithTypeInfo, BREAK, getNamedType, type GraphQLSchema } from 'graphql';
import { BoundedCache, MAX_CACHED_TEXT_BYTES } from './bounded-cache';

/**
 * The directive a subgraph puts on a field whose work is long and costly (a model generation),
 * declared by that subgraph and kept in the supergraph with @composeDirective: the router never
 * retries a fetch that selects such a field, and gives it its own deadline instead of the subgraph
 * timeout (subgraph-client.ts). The schema says which fields these are; the router lists none.
 */
export const NON_RETRYABLE_DIRECTIVE = 'nonRetryable';

/** The fields of one supergraph marked @nonRetryable, and which subgraph fetches select one. */
export class NonRetryableFields {
  /** Field name → the types on which a field of that name is marked. */
  private readonly marked = new Map<string, Set<string>>();
  /** Fetch texts already decided: a plan sends the same few texts again and again. */
  private readonly decided = new BoundedCache<string, boolean>({ maxEntries: 2_000, maxWeight: MAX_CACHED_TEXT_BYTES });

  /**
   * `supergraphSdl` names the marked fields; `schema` (the API schema) gives the types a fetch's
   * selections are on. A fetch's own fields outside it (`_entities`) hold only inline fragments on its types.
   */
  constructor(
    supergraphSdl: string,
    private readonly schema: GraphQLSchema,
  ) {
    for (const definition of parse(supergraphSdl, { noLocation: true }).definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      for (const field of definition.fields ?? []) {
        if (!field.directives?.some((directive) => directive.name.value === NON_RETRYABLE_DIRECTIVE)) continue;
        let types = this.marked.get(field.name.value);
        if (!types) this.marked.set(field.name.value, (types = new Set()));
        types.add(definition.name.value);
      }
    }
  }

  /** Whether the subgraph operation `query` selects a marked field anywhere. */
  selectedBy(query: string): boolean {
    // Most fetches do not even mention a marked field's name: a substring test spares them the parse.
    if (![...this.marked.keys()].some((name) => query.includes(name))) return false;
    let selects = this.decided.get(query);
    if (selects === undefined) {
      selects = this.walk(query);
      this.decided.set(query, selects, query.length);
    }
    return selects;
  }

  private walk(query: string): boolean {
    let selects = false;
    const typeInfo = new TypeInfo(this.schema);
    visit(
      parse(query, { noLocation: true }),
      visitWithTypeInfo(typeInfo, {
        Field: (node) => {
          const parent = typeInfo.getParentType();
          if (parent && this.marked.get(node.name.value)?.has(getNamedType(parent).name)) {
            selects = true;
            return BREAK;
          }
          return undefined;
        },
      }),
    );
    return selects;
  }
}
