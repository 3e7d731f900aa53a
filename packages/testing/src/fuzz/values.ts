import { getNullableType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType, type GraphQLNamedType } from 'graphql';
import type { Random } from './random';

/** A number written exactly as given (JSON and GraphQL both carry numbers JavaScript cannot): `1e400`, `9007199254740993`. */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** An enum value: a bare name in a GraphQL literal, a string in JSON variables. */
export class EnumName {
  constructor(readonly name: string) {}
}

/** What a fuzzed argument or variable holds: JSON values plus the two above. */
export type FuzzValue = null | boolean | number | string | RawNumber | EnumName | FuzzValue[] | { [field: string]: FuzzValue };

/** The bounds of hostile values, so one request stays under the router's body limit. */
export interface ValueOptions {
  /** Longest string generated. Default 50,000 characters (a body stays under MAX_BODY_BYTES' default 1 MB even with a few). */
  maxStringLength?: number;
  /** Longest list generated. Default 5,000 items. */
  maxListLength?: number;
  /** Deepest nesting of lists and objects in a hostile value. Default 40 (the router refuses literals deeper than 6 itself). */
  maxDepth?: number;
  /**
   * Most characters all the values of one request may print to. Default 300,000 (a third of the
   * router's default body limit, so most requests are read, not refused as too large): long lists repeat
   * one item, so without a budget a list of lists of long strings would print to gigabytes.
   */
  maxRequestChars?: number;
  /**
   * Values that exist on the platform under test (the signed-in user's id, a project's id…), mixed
   * into strings so requests also reach what lies behind a successful look-up. Default: none.
   */
  knownStrings?: readonly string[];
}

const DEFAULTS: Required<ValueOptions> = { maxStringLength: 50_000, maxListLength: 5_000, maxDepth: 40, maxRequestChars: 300_000, knownStrings: [] };

const NASTY_STRINGS = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'e\u0301\u0301\u0301\u0301\u0301',
  '\ufeff\u200b\u2028\u2029',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '{"$gt": ""}',
  '../../../../etc/passwd',
  '%s%s%s%n',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  'NaN',
  '-0',
  '1e309',
  '0x',
  '0x' + '0'.repeat(40),
  '0x' + 'f'.repeat(40),
  '0x' + 'a'.repeat(64),
  '0xZZ' + '1'.repeat(38),
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  '2007-12-03T10:15:30Z',
  '9999-99-99T99:99:99Z',
  'pm_card_visa',
  'pm_card_chargeDeclined',
  'USD',
  'usd',
  'XXX',
  '\\',
  '\n\r\t',
];

const HUGE_NUMBERS = [
  '1e400',
  '-1e400',
  '9007199254740993',
  '2147483648',
  '-2147483649',
  '99999999999999999999999999999999',
  '0.0000000000000000000001',
  '1.5',
];

/** Values for an argument of `type`: mostly the right shape with hostile contents, sometimes the wrong shape altogether. */
export class HostileValues {
  private readonly options: Required<ValueOptions>;
  /** What is left of maxRequestChars (one generator serves one request). */
  private remaining: number;

  constructor(
    private readonly random: Random,
    options: ValueOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.remaining = this.options.maxRequestChars;
  }

  /** A value for `type`: 75 % of the time of its shape, else of any shape at all (null for a non-null included). */
  forType(type: GraphQLInputType, depth = 0): FuzzValue {
    if (this.random.chance(0.25)) return this.anything(depth);
    if (isNonNullType(type)) return this.forType(type.ofType, depth);
    if (this.random.chance(0.03)) return null;
    if (isListType(type)) return this.list(() => this.forType(type.ofType, depth + 1));
    return this.forNamed(getNullableType(type) as GraphQLNamedType, depth);
  }

  private forNamed(type: GraphQLNamedType, depth: number): FuzzValue {
    if (isEnumType(type)) {
      const values = type.getValues().map((value) => value.name);
      return this.random.weighted<FuzzValue>([
        [6, () => new EnumName(this.random.pick(values))],
        [1, () => new EnumName(this.random.pick(['UNKNOWN_VALUE', values[0]!.toLowerCase(), 'null', 'true']))],
        [1, () => this.random.pick(values)],
      ]);
    }
    if (isInputObjectType(type)) {
      const object: Record<string, FuzzValue> = {};
      for (const field of Object.values(type.getFields())) {
        if (isNonNullType(field.type) ? this.random.chance(0.95) : this.random.chance(0.6)) object[field.name] = this.forType(field.type, depth + 1);
      }
      if (this.random.chance(0.1)) setField(object, this.random.pick(['unknownField', '__proto__', 'constructor']), this.anything(depth + 1));
      return object;
    }
    if (isScalarType(type)) {
      switch (type.name) {
        case 'Int':
          return this.int();
        case 'Float':
          return this.random.weighted<FuzzValue>([
            [3, () => this.int()],
            [1, () => this.random.pick([1e308, -1e308, 5e-324, -0, 0.1])],
          ]);
        case 'Boolean':
          return this.random.chance(0.9) ? this.random.chance(0.5) : this.random.pick<FuzzValue>(['true', 0, 1]);
        case 'JSONObject':
        case 'JSON':
          return this.deep(this.random.between(1, this.options.maxDepth));
        default:
          return this.string();
      }
    }
    return this.anything(depth);
  }

  /** Any value of any shape. */
  anything(depth = 0): FuzzValue {
    return this.random.weighted<FuzzValue>([
      [4, () => this.string()],
      [3, () => this.int()],
      [1, () => this.random.chance(0.5)],
      [1, () => null],
      [1, () => new EnumName(this.random.pick(['FREE', 'ADMIN', 'PUBLIC', 'BUILD', 'SUCCEEDED', 'x']))],
      [depth < 3 ? 2 : 0, () => this.list(() => this.anything(depth + 1))],
      [depth < 3 ? 2 : 0, () => setField({}, this.random.pick(['a', 'id', 'name', 'input', '__proto__']), this.anything(depth + 1))],
      [1, () => this.deep(this.random.between(1, this.options.maxDepth))],
    ]);
  }

  string(): string {
    const text = this.random.weighted<string>([
      [6, () => this.random.pick(NASTY_STRINGS)],
      [2, () => this.random.pick(['x', 'a'.repeat(256), 'ü'.repeat(1000), '😀'.repeat(500)]).repeat(this.random.between(1, 3))],
      [1, () => this.random.pick(['a', 'é', '😀', '\u0000', '\ud800']).repeat(this.random.between(1, this.options.maxStringLength / 2))],
      [2, () => this.randomText(this.random.between(1, 64))],
      [this.options.knownStrings.length ? 4 : 0, () => this.random.pick(this.options.knownStrings)],
    ]);
    // Charged as printed: a NUL prints as six characters (\u0000).
    const fits = text.slice(0, Math.max(0, this.remaining));
    const printed = JSON.stringify(fits).length;
    const kept = printed > this.remaining ? fits.slice(0, Math.floor((fits.length * this.remaining) / printed)) : fits;
    this.remaining -= JSON.stringify(kept).length;
    return kept;
  }

  int(): FuzzValue {
    this.remaining -= 8;
    return this.random.weighted<FuzzValue>([
      [3, () => this.random.pick([0, 1, -1, 5, 20, 100, 2147483647, -2147483648])],
      [2, () => this.random.between(-1000, 1000)],
      [2, () => new RawNumber(this.random.pick(HUGE_NUMBERS))],
    ]);
  }

  private list(item: () => FuzzValue): FuzzValue[] {
    if (this.remaining <= 0) return [];
    const length = this.random.weighted<number>([
      [5, () => this.random.between(0, 3)],
      [2, () => this.random.between(4, 200)],
      [1, () => this.random.between(201, this.options.maxListLength)],
    ]);
    // Long lists repeat one hostile item: what matters is the count, and it keeps generation cheap.
    if (length > 50) {
      const repeated = item();
      // The item may have used up what was left (its own lists and strings count too).
      const count = Math.max(0, Math.min(length, Math.floor(this.remaining / printedSize(repeated))));
      this.remaining -= count * printedSize(repeated);
      return Array<FuzzValue>(count).fill(repeated);
    }
    return Array.from({ length }, item);
  }

  /** Lists and objects nested `depth` levels deep. */
  private deep(depth: number): FuzzValue {
    let value: FuzzValue = this.random.chance(0.5) ? 'leaf' : 1;
    for (let level = 0; level < depth; level++) value = this.random.chance(0.5) ? [value] : { a: value };
    return value;
  }

  private randomText(length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += String.fromCodePoint(this.random.chance(0.8) ? this.random.between(0x20, 0x7e) : this.random.between(0, 0x2ffff));
    return text;
  }
}

/** About how many characters `value` prints to (at least 1 per item, for commas). */
function printedSize(value: FuzzValue): number {
  if (typeof value === 'string') return JSON.stringify(value).length + 1;
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + printedSize(item), 2);
  if (value !== null && typeof value === 'object' && !(value instanceof RawNumber) && !(value instanceof EnumName))
    return Object.entries(value).reduce((sum, [name, field]) => sum + name.length + printedSize(field), 2);
  return 8;
}

/** Sets a field as an own property, even `__proto__` (which plain assignment would take as the prototype). */
function setField(object: Record<string, FuzzValue>, name: string, value: FuzzValue): Record<string, FuzzValue> {
  Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** The value as a GraphQL literal (what the document carries inline). */
export function printLiteral(value: FuzzValue): string {
  if (value === null) return 'null';
  if (value instanceof RawNumber) return value.text;
  if (value instanceof EnumName) return value.name;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(printLiteral).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([name, field]) => `${name}: ${printLiteral(field)}`)
    .join(', ')}}`;
}

/** The value as JSON text (what variables carry), numbers written exactly as generated. */
export function printJson(value: FuzzValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof RawNumber) return value.text;
  if (value instanceof EnumName) return JSON.stringify(value.name);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(printJson).join(',')}]`;
  return `{${Object.entries(value)
    .map(([name, field]) => `${JSON.stringify(name)}:${printJson(field)}`)
    .join(',')}}`;
}
