import {
  getNamedType,
  isLeafType,
  isObjectType,
  isInterfaceType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { Random } from './random';
import { HostileValues, printJson, printLiteral, type FuzzValue, type ValueOptions } from './values';

export type OperationType = 'query' | 'mutation' | 'subscription';

/** One request as sent: the document's text, the variables' JSON text (exactly as generated), and how it was made. */
export interface FuzzRequest {
  operationType: OperationType;
  query: string;
  /** JSON text; absent when the request has no variables. */
  variables?: string;
  operationName?: string;
  /** What was done to it beyond a well-formed selection with hostile arguments, e.g. `truncated`, `unknown field`. */
  mutations: string[];
}

export interface DocumentOptions extends ValueOptions {
  /** Share of requests whose document or variables are broken on purpose after generation. Default 0.3. */
  mutationRate?: number;
  /** Deepest selection below a root field. Default 3. */
  maxSelectionDepth?: number;
}

/**
 * Builds requests from a schema: operations with valid selections and hostile argument values
 * (inline or as variables), some broken on purpose — unknown or conflicting fields, wrong nesting,
 * truncated text, random variables.
 */
export class DocumentGenerator {
  private readonly values: HostileValues;
  private readonly mutationRate: number;
  private readonly maxSelectionDepth: number;
  private variables: { name: string; type: string; value: FuzzValue }[] = [];
  private mutations: string[] = [];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly random: Random,
    options: DocumentOptions = {},
  ) {
    this.values = new HostileValues(random, options);
    this.mutationRate = options.mutationRate ?? 0.3;
    this.maxSelectionDepth = options.maxSelectionDepth ?? 3;
  }

  request(): FuzzRequest {
    this.variables = [];
    this.mutations = [];
    const broken = this.random.chance(this.mutationRate);
    const roots = (
      [
        [5, 'query', this.schema.getQueryType()],
        [3, 'mutation', this.schema.getMutationType()],
        [1, 'subscription', this.schema.getSubscriptionType()],
      ] as const
    ).filter(([, , type]) => type);
    const [operationType, root] = this.random.weighted(roots.map(([weight, operation, type]) => [weight, () => [operation, type!] as const]));
    // Subscriptions may have one root field only.
    const count = operationType !== 'subscription' && this.random.chance(0.2) ? this.random.between(2, 3) : 1;
    const fields = Array.from({ length: count }, () => this.field(this.random.pick(Object.values(root.getFields())), 0, broken));
    const operationName = this.random.chance(0.3) ? `Fuzz${this.random.int(1000)}` : undefined;
    const declarations = this.variables.length ? `(${this.variables.map((variable) => `$${variable.name}: ${variable.type}`).join(', ')})` : '';
    let query = `${operationType} ${operationName ?? ''}${declarations} { ${fields.join(' ')} }`;
    let variables: string | undefined = this.variables.length
      ? printJson(Object.fromEntries(this.variables.map(({ name, value }) => [name, value])))
      : undefined;
    let sentName = operationName;
    if (broken) {
      this.random.weighted<void>([
        [3, () => void (query = this.breakText(query))],
        [2, () => void (variables = this.randomVariables(variables))],
        [1, () => void (sentName = this.random.pick(['Missing', '', 'Fuzz', '__proto__']))],
        [1, () => ((query = `${query} ${query}`), this.mutations.push('operation twice'))],
        [3, () => {}], // broken in the selection only
      ]);
      if (sentName !== operationName) this.mutations.push('wrong operationName');
    }
    return { operationType, query, variables, operationName: sentName, mutations: this.mutations };
  }

  private field(field: GraphQLField<unknown, unknown>, depth: number, broken: boolean): string {
    const args = field.args.filter((arg) =>
      arg.type.toString().endsWith('!') && arg.defaultValue === undefined ? this.random.chance(0.95) : this.random.chance(0.5),
    );
    const written = args.map((arg) => `${arg.name}: ${this.argument(arg)}`);
    if (broken && this.random.chance(0.1)) {
      written.push(`unknownArgument: ${printLiteral(this.values.anything())}`);
      this.mutations.push('unknown argument');
    }
    const alias = this.random.chance(0.1) ? `a${this.random.int(100)}: ` : '';
    const call = `${alias}${field.name}${written.length ? `(${written.join(', ')})` : ''}`;
    const type = getNamedType(field.type);
    if (broken && this.random.chance(0.15)) {
      this.mutations.push(isLeafType(type) ? 'selection on a leaf' : 'no selection on an object');
      return isLeafType(type) ? `${call} { id }` : call;
    }
    if (isLeafType(type)) return call;
    return `${call} ${this.selection(type, depth + 1, broken)}`;
  }

  private argument(arg: GraphQLArgument): string {
    const value = this.values.forType(arg.type);
    if (this.random.chance(0.6)) return printLiteral(value);
    const name = `v${this.variables.length}`;
    const declared = this.random.chance(0.9) ? arg.type.toString() : this.random.pick(['String', 'Int!', '[String!]!', 'Boolean', 'JSONObject', 'Unknown']);
    if (declared !== arg.type.toString()) this.mutations.push('variable of another type');
    this.variables.push({ name, type: declared, value });
    return `$${name}`;
  }

  private selection(type: GraphQLNamedType, depth: number, broken: boolean): string {
    const parts: string[] = [];
    if (isUnionType(type) || (isInterfaceType(type) && this.random.chance(0.5))) {
      const possible = this.schema.getPossibleTypes(type);
      parts.push('__typename');
      for (const member of possible.filter(() => this.random.chance(0.5)).slice(0, 3))
        parts.push(`... on ${member.name} ${this.selection(member, depth, broken)}`);
      if (isInterfaceType(type)) parts.push(...this.fieldsOf(type, depth, broken));
    } else if (isObjectType(type) || isInterfaceType(type)) {
      parts.push(...this.fieldsOf(type, depth, broken));
    }
    if (broken && this.random.chance(0.15)) {
      parts.push(this.random.pick(['unknownField', '__schema { types { name } }', 'id @nope', 'id @skip(if: "yes")', '...Undefined']));
      this.mutations.push('unknown field or directive');
    }
    if (broken && this.random.chance(0.1) && parts.length > 0) {
      // The same response name twice with different arguments or fields: a conflict validation must catch.
      parts.push(parts[0]!.replace(/^(\w+)/, '$1(conflicting: 1)'));
      this.mutations.push('duplicated field');
    }
    return `{ ${parts.length ? parts.join(' ') : '__typename'} }`;
  }

  private fieldsOf(type: GraphQLObjectType | GraphQLInterfaceType, depth: number, broken: boolean): string[] {
    const fields = Object.values(type.getFields());
    const atLimit = depth >= this.maxSelectionDepth;
    const candidates = atLimit ? fields.filter((field) => isLeafType(getNamedType(field.type))) : fields;
    if (candidates.length === 0) return ['__typename'];
    const count = this.random.between(1, Math.min(4, candidates.length));
    const chosen = new Set<GraphQLField<unknown, unknown>>();
    while (chosen.size < count) chosen.add(this.random.pick(candidates));
    return [...chosen].map((field) => this.field(field, depth, broken));
  }

  /** Damages the text the way a bad client or an attacker would. */
  private breakText(query: string): string {
    return this.random.weighted<string>([
      [3, () => (this.mutations.push('truncated'), query.slice(0, this.random.int(query.length)))],
      [
        2,
        () => {
          this.mutations.push('characters removed');
          const at = this.random.int(query.length);
          return query.slice(0, at) + query.slice(at + this.random.between(1, 5));
        },
      ],
      [
        2,
        () => {
          this.mutations.push('characters inserted');
          const at = this.random.int(query.length);
          return query.slice(0, at) + this.random.pick(['{', '}', '(', ')', '$', '"', '...', '@', ':', '\u0000', '#', '\ud800']) + query.slice(at);
        },
      ],
      [
        1,
        () => {
          this.mutations.push('nested braces');
          const depth = this.random.between(50, 2_000);
          return `query { ${'me { '.repeat(depth)}id${' }'.repeat(depth)} }`;
        },
      ],
      [
        1,
        () => {
          this.mutations.push('many aliases');
          const count = this.random.between(100, 3_000);
          return `query { ${Array.from({ length: count }, (_, i) => `a${i}: __typename`).join(' ')} }`;
        },
      ],
    ]);
  }

  /** Variables of the wrong shape, extra ones, or none where some are required. */
  private randomVariables(variables: string | undefined): string | undefined {
    this.mutations.push('random variables');
    return this.random.weighted<string | undefined>([
      [1, () => undefined],
      [2, () => printJson(this.values.anything())],
      [2, () => (variables ? `${variables.slice(0, -1)}${variables.length > 2 ? ',' : ''}"extra":${printJson(this.values.anything())}}` : '{"extra":1}')],
      [1, () => '{"v0":'],
    ]);
  }
}
