import type { Instruction } from './evm-disassembler';

/** Where a stack value came from, strongest first: a value mixed from several carries the strongest. */
export type Origin = 'CALLDATA' | 'STORAGE' | 'ENVIRONMENT' | 'CONSTANT';
const STRENGTH: Origin[] = ['CONSTANT', 'ENVIRONMENT', 'STORAGE', 'CALLDATA'];

interface Value {
  origin: Origin;
  /** Known for pushed constants (moved by DUP/SWAP): what jump targets are read from. */
  constant?: bigint;
}

export interface DataflowOptions {
  /** Abstract states explored at most; past it the walk stops and what it saw is returned. Default 50,000. */
  maxStates?: number;
}

/** Stack inputs and outputs of the opcodes whose outputs are derived from their inputs, plus the sources. */
const SOURCES: Record<string, Origin> = { CALLDATALOAD: 'CALLDATA', SLOAD: 'STORAGE', TLOAD: 'STORAGE' };
const HALTS = new Set(['STOP', 'RETURN', 'REVERT', 'INVALID', 'SELFDESTRUCT']);

function arity(name: string): [pops: number, pushes: number] | undefined {
  if (/^PUSH\d*$/.test(name)) return [0, 1];
  if (/^LOG[0-4]$/.test(name)) return [2 + Number(name[3]), 0];
  const table: Record<string, [number, number]> = {
    ADD: [2, 1],
    MUL: [2, 1],
    SUB: [2, 1],
    DIV: [2, 1],
    SDIV: [2, 1],
    MOD: [2, 1],
    SMOD: [2, 1],
    ADDMOD: [3, 1],
    MULMOD: [3, 1],
    EXP: [2, 1],
    SIGNEXTEND: [2, 1],
    LT: [2, 1],
    GT: [2, 1],
    SLT: [2, 1],
    SGT: [2, 1],
    EQ: [2, 1],
    ISZERO: [1, 1],
    AND: [2, 1],
    OR: [2, 1],
    XOR: [2, 1],
    NOT: [1, 1],
    BYTE: [2, 1],
    SHL: [2, 1],
    SHR: [2, 1],
    SAR: [2, 1],
    KECCAK256: [2, 1],
    ADDRESS: [0, 1],
    BALANCE: [1, 1],
    ORIGIN: [0, 1],
    CALLER: [0, 1],
    CALLVALUE: [0, 1],
    CALLDATALOAD: [1, 1],
    CALLDATASIZE: [0, 1],
    CALLDATACOPY: [3, 0],
    CODESIZE: [0, 1],
    CODECOPY: [3, 0],
    GASPRICE: [0, 1],
    EXTCODESIZE: [1, 1],
    EXTCODECOPY: [4, 0],
    RETURNDATASIZE: [0, 1],
    RETURNDATACOPY: [3, 0],
    EXTCODEHASH: [1, 1],
    BLOCKHASH: [1, 1],
    COINBASE: [0, 1],
    TIMESTAMP: [0, 1],
    NUMBER: [0, 1],
    PREVRANDAO: [0, 1],
    GASLIMIT: [0, 1],
    CHAINID: [0, 1],
    SELFBALANCE: [0, 1],
    BASEFEE: [0, 1],
    BLOBHASH: [1, 1],
    BLOBBASEFEE: [0, 1],
    POP: [1, 0],
    MLOAD: [1, 1],
    MSTORE: [2, 0],
    MSTORE8: [2, 0],
    SLOAD: [1, 1],
    SSTORE: [2, 0],
    JUMP: [1, 0],
    JUMPI: [2, 0],
    PC: [0, 1],
    MSIZE: [0, 1],
    GAS: [0, 1],
    JUMPDEST: [0, 0],
    TLOAD: [1, 1],
    TSTORE: [2, 0],
    MCOPY: [3, 0],
    CREATE: [3, 1],
    CALL: [7, 1],
    CALLCODE: [7, 1],
    DELEGATECALL: [6, 1],
    CREATE2: [4, 1],
    STATICCALL: [6, 1],
  };
  return table[name];
}

/** Arithmetic on values keeps the strongest origin; only sources and constants start new ones. */
function derive(name: string, inputs: Value[]): Value {
  const source = SOURCES[name];
  if (source) return { origin: source };
  if (inputs.length === 0) return { origin: name === 'PC' || name === 'CODESIZE' ? 'CONSTANT' : 'ENVIRONMENT' };
  if (name === 'MLOAD' || name === 'KECCAK256' || name === 'BALANCE' || name === 'EXTCODESIZE' || name === 'EXTCODEHASH' || name === 'BLOCKHASH')
    return { origin: 'ENVIRONMENT' };
  const strongest = inputs.reduce((best, value) => (STRENGTH.indexOf(value.origin) > STRENGTH.indexOf(best) ? value.origin : best), 'CONSTANT' as Origin);
  return { origin: strongest };
}

/**
 * Where the address argument of each DELEGATECALL can come from, by an abstract walk of the code:
 * every path from the entry, with a stack of value origins, following jumps whose target is a
 * pushed constant (Solidity's internal calls and returns included). Offsets the walk never
 * reached are absent; the walk stops after `maxStates` states.
 */
export function delegatecallTargets(instructions: Instruction[], options: DataflowOptions = {}): Map<number, Set<Origin>> {
  const maxStates = options.maxStates ?? 50_000;
  const indexOf = new Map(instructions.map((instruction, index) => [instruction.offset, index]));
  const found = new Map<number, Set<Origin>>();
  const seen = new Set<string>();
  const work: { index: number; stack: Value[] }[] = [{ index: 0, stack: [] }];
  while (work.length > 0 && seen.size < maxStates) {
    const state = work.pop()!;
    let { index } = state;
    const stack = state.stack;
    for (;;) {
      const instruction = instructions[index];
      if (!instruction || HALTS.has(instruction.name)) break;
      if (instruction.name === 'JUMPDEST') {
        const key = `${index}|${stack.map((value) => `${value.origin[1]}${value.constant ?? ''}`).join(',')}`;
        if (seen.has(key)) break;
        seen.add(key);
      }
      const { name } = instruction;
      if (name.startsWith('DUP')) {
        const depth = Number(name.slice(3));
        if (stack.length < depth) break;
        stack.push(stack[stack.length - depth]!);
      } else if (name.startsWith('SWAP')) {
        const depth = Number(name.slice(4));
        if (stack.length <= depth) break;
        const top = stack.length - 1;
        [stack[top], stack[top - depth]] = [stack[top - depth]!, stack[top]!];
      } else {
        const shape = arity(name);
        if (!shape || stack.length < shape[0]) break;
        if (name === 'DELEGATECALL') {
          const target = stack[stack.length - 2]!;
          found.set(instruction.offset, (found.get(instruction.offset) ?? new Set()).add(target.origin));
        }
        const inputs = stack.splice(stack.length - shape[0], shape[0]).reverse();
        if (name === 'JUMP' || name === 'JUMPI') {
          const destination = inputs[0]!.constant;
          const next = destination === undefined ? undefined : indexOf.get(Number(destination));
          const jumpable = next !== undefined && instructions[next]!.name === 'JUMPDEST';
          if (name === 'JUMPI') work.push({ index: index + 1, stack: [...stack] });
          if (!jumpable) break;
          index = next;
          continue;
        }
        if (shape[1] === 1) {
          const value: Value = name.startsWith('PUSH')
            ? { origin: 'CONSTANT', constant: instruction.immediate ? BigInt(instruction.immediate) : 0n }
            : derive(name, inputs);
          stack.push(value);
        }
        if (stack.length > 1024) break;
      }
      index++;
    }
  }
  return found;
}
