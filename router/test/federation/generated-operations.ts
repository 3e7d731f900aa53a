import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  parse,
  validate,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Random valid queries over an API schema, the same ones for the same seed: selections of random
 * fields to a depth, with aliases, inline fragments on possible types, named fragments, and
 * `@include`/`@skip` on variables, so the differential suite meets shapes nobody wrote by hand.
 */

/** Options of the generator. */
export interface GeneratorOptions {
  /** How many queries. */
  count: number;
  /** The seed of the pseudo-random sequence. Default 1. */
  seed?: number;
  /** How deep selections go below the root. Default 3. */
  maxDepth?: number;
  /** Literal values to choose from per argument, by `Type.field.argument` (e.g. `Query.book.id`: ['"1"', '"2"']); other arguments get a value of their type. */
  argumentValues?: Record<string, readonly string[]>;
  /** `Type.field` coordinates never selected: where stock is known to be wrong, no generated case can be checked against it (hand-written cases check them against the spec). */
  excludeFields?: readonly string[];
}

export interface GeneratedOperation {
  query: string;
  variables: Record<string, unknown>;
}

export function generateOperations(schema: GraphQLSchema, options: GeneratorOptions): GeneratedOperation[] {
  const random = mulberry32(options.seed ?? 1);
  const operations: GeneratedOperation[] = [];
  // Some draws are invalid (two aliases of one key with different arguments): drawn again, within a bound.
  for (let attempt = 0; operations.length < options.count && attempt < options.count * 20; attempt++) {
    const operation = new Generator(schema, random, options).operation();
    if (operation && validate(schema, parse(operation.query)).length === 0) operations.push(operation);
  }
  if (operations.length < options.count) throw new Error(`Only ${operations.length} of ${options.count} generated operations were valid`);
  return operations;
}

/** A small, fast, seedable generator (public domain): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Generator {
  private readonly fragments: string[] = [];
  private readonly flags = new Map<string, boolean>();
  private aliasCount = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly random: () => number,
    private readonly options: GeneratorOptions,
  ) {}

  operation(): GeneratedOperation | undefined {
    const query = this.schema.getQueryType();
    if (!query) return undefined;
    const selection = this.selection(query, 0);
    if (!selection) return undefined;
    const variables = Object.fromEntries(this.flags);
    const definitions = [...this.flags.keys()].map((name) => `$${name}: Boolean!`).join(', ');
    const text = `query${definitions ? `(${definitions})` : ''} ${selection}${this.fragments.map((fragment) => `\n${fragment}`).join('')}`;
    return { query: text, variables };
  }

  private chance(probability: number): boolean {
    return this.random() < probability;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** A selection set on a composite type: fields, and on abstract types fragments on possible types. */
  private selection(type: GraphQLCompositeType, depth: number): string | undefined {
    const parts: string[] = [];
    if (!isAbstractType(type) || isInterfaceType(type)) {
      const fields = Object.values(type.getFields()).filter(
        (field) =>
          (depth < (this.options.maxDepth ?? 3) || !isCompositeType(getNamedType(field.type))) &&
          !this.options.excludeFields?.includes(`${type.name}.${field.name}`),
      );
      const count = 1 + Math.floor(this.random() * Math.min(4, fields.length));
      for (let index = 0; index < count && fields.length > 0; index++) {
        const field = this.field(this.pick(fields), type.name, depth);
        if (field) parts.push(field);
      }
    }
    if (isAbstractType(type)) {
      if (this.chance(0.5)) parts.push('__typename');
      const possible = this.schema.getPossibleTypes(type);
      const fragments = 1 + Math.floor(this.random() * Math.min(2, possible.length));
      for (let index = 0; index < fragments; index++) {
        const concrete = this.pick(possible);
        const inner = this.selection(concrete, depth);
        if (inner) parts.push(this.chance(0.3) ? this.namedFragment(concrete.name, inner) : `... on ${concrete.name} ${inner}`);
      }
    } else if (this.chance(0.1)) {
      parts.push('__typename');
    }
    return parts.length > 0 ? `{ ${parts.join(' ')} }` : undefined;
  }

  private namedFragment(typeName: string, selection: string): string {
    const name = `F${this.fragments.length}`;
    this.fragments.push(`fragment ${name} on ${typeName} ${selection}`);
    return `...${name}`;
  }

  private field(field: GraphQLField<unknown, unknown>, parentName: string, depth: number): string | undefined {
    const args: string[] = [];
    for (const argument of field.args) {
      if (!isNonNullType(argument.type) && !this.chance(0.4)) continue;
      const value = this.argumentValue(argument, `${parentName}.${field.name}.${argument.name}`);
      if (value === undefined) {
        if (isNonNullType(argument.type)) return undefined;
        continue;
      }
      args.push(`${argument.name}: ${value}`);
    }
    const named = getNamedType(field.type);
    let text = field.name + (args.length > 0 ? `(${args.join(', ')})` : '');
    // An alias per field with arguments keeps two draws of one field with different arguments apart.
    if (args.length > 0 || this.chance(0.15)) text = `a${this.aliasCount++}: ${text}`;
    if (this.chance(0.1)) {
      const flag = `v${this.flags.size}`;
      this.flags.set(flag, this.chance(0.5));
      text += ` @${this.chance(0.5) ? 'include' : 'skip'}(if: $${flag})`;
    }
    if (!isCompositeType(named)) return text;
    const selection = this.selection(named, depth + 1);
    return selection ? `${text} ${selection}` : undefined;
  }

  private argumentValue(argument: GraphQLArgument, coordinate: string): string | undefined {
    const values = this.options.argumentValues?.[coordinate];
    if (values) return this.pick(values);
    return this.literal(argument.type);
  }

  private literal(type: GraphQLInputType): string | undefined {
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      const item = this.literal(nullable.ofType);
      return item === undefined ? undefined : `[${item}]`;
    }
    if (isInputObjectType(nullable)) return undefined;
    if (isEnumType(nullable)) return this.pick(nullable.getValues()).name;
    switch (nullable.name) {
      case 'ID':
        return `"${1 + Math.floor(this.random() * 3)}"`;
      case 'Int':
        return String(1 + Math.floor(this.random() * 3));
      case 'Float':
        return '1.5';
      case 'String':
        return '"x"';
      case 'Boolean':
        return String(this.chance(0.5));
      default:
        return undefined;
    }
  }
}
