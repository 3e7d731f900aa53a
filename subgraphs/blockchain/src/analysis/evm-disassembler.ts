import type { Hex } from 'viem';

/** One decoded EVM instruction. */
export interface Instruction {
  /** Byte offset in the code (what JUMP targets and evidence refer to). */
  offset: number;
  opcode: number;
  name: string;
  /** The immediate of PUSH1..PUSH32, as 0x-hex; PUSH0 and every other opcode have none. */
  immediate?: Hex;
}

const NAMES: Record<number, string> = {
  0x00: 'STOP',
  0x01: 'ADD',
  0x02: 'MUL',
  0x03: 'SUB',
  0x04: 'DIV',
  0x05: 'SDIV',
  0x06: 'MOD',
  0x07: 'SMOD',
  0x08: 'ADDMOD',
  0x09: 'MULMOD',
  0x0a: 'EXP',
  0x0b: 'SIGNEXTEND',
  0x10: 'LT',
  0x11: 'GT',
  0x12: 'SLT',
  0x13: 'SGT',
  0x14: 'EQ',
  0x15: 'ISZERO',
  0x16: 'AND',
  0x17: 'OR',
  0x18: 'XOR',
  0x19: 'NOT',
  0x1a: 'BYTE',
  0x1b: 'SHL',
  0x1c: 'SHR',
  0x1d: 'SAR',
  0x20: 'KECCAK256',
  0x30: 'ADDRESS',
  0x31: 'BALANCE',
  0x32: 'ORIGIN',
  0x33: 'CALLER',
  0x34: 'CALLVALUE',
  0x35: 'CALLDATALOAD',
  0x36: 'CALLDATASIZE',
  0x37: 'CALLDATACOPY',
  0x38: 'CODESIZE',
  0x39: 'CODECOPY',
  0x3a: 'GASPRICE',
  0x3b: 'EXTCODESIZE',
  0x3c: 'EXTCODECOPY',
  0x3d: 'RETURNDATASIZE',
  0x3e: 'RETURNDATACOPY',
  0x3f: 'EXTCODEHASH',
  0x40: 'BLOCKHASH',
  0x41: 'COINBASE',
  0x42: 'TIMESTAMP',
  0x43: 'NUMBER',
  0x44: 'PREVRANDAO',
  0x45: 'GASLIMIT',
  0x46: 'CHAINID',
  0x47: 'SELFBALANCE',
  0x48: 'BASEFEE',
  0x49: 'BLOBHASH',
  0x4a: 'BLOBBASEFEE',
  0x50: 'POP',
  0x51: 'MLOAD',
  0x52: 'MSTORE',
  0x53: 'MSTORE8',
  0x54: 'SLOAD',
  0x55: 'SSTORE',
  0x56: 'JUMP',
  0x57: 'JUMPI',
  0x58: 'PC',
  0x59: 'MSIZE',
  0x5a: 'GAS',
  0x5b: 'JUMPDEST',
  0x5c: 'TLOAD',
  0x5d: 'TSTORE',
  0x5e: 'MCOPY',
  0x5f: 'PUSH0',
  0xa0: 'LOG0',
  0xa1: 'LOG1',
  0xa2: 'LOG2',
  0xa3: 'LOG3',
  0xa4: 'LOG4',
  0xf0: 'CREATE',
  0xf1: 'CALL',
  0xf2: 'CALLCODE',
  0xf3: 'RETURN',
  0xf4: 'DELEGATECALL',
  0xf5: 'CREATE2',
  0xfa: 'STATICCALL',
  0xfd: 'REVERT',
  0xfe: 'INVALID',
  0xff: 'SELFDESTRUCT',
};
for (let n = 1; n <= 32; n++) NAMES[0x5f + n] = `PUSH${n}`;
for (let n = 1; n <= 16; n++) {
  NAMES[0x7f + n] = `DUP${n}`;
  NAMES[0x8f + n] = `SWAP${n}`;
}

export const opcodeName = (opcode: number): string => NAMES[opcode] ?? `UNKNOWN_0x${opcode.toString(16).padStart(2, '0')}`;

/**
 * Solidity (and Vyper) append CBOR metadata whose length is the code's last two bytes. Its bytes
 * are data: decoded as instructions they can look like anything, SELFDESTRUCT included, so they are
 * cut off before disassembly. Code without a plausible trailer is returned whole.
 */
export function stripMetadata(code: Uint8Array): Uint8Array {
  if (code.length < 4) return code;
  const length = (code[code.length - 2]! << 8) | code[code.length - 1]!;
  const start = code.length - 2 - length;
  // A CBOR map of 1 to 5 entries (0xa1..0xa5) opens every compiler's metadata.
  if (length > 0 && start > 0 && code[start]! >= 0xa1 && code[start]! <= 0xa5) return code.subarray(0, start);
  return code;
}

export function hexToBytes(code: Hex): Uint8Array {
  const hex = code.slice(2);
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Linear sweep: every byte is an opcode except the immediates of PUSH1..PUSH32, which are skipped. */
export function disassemble(code: Uint8Array): Instruction[] {
  const instructions: Instruction[] = [];
  for (let offset = 0; offset < code.length;) {
    const opcode = code[offset]!;
    const size = opcode >= 0x60 && opcode <= 0x7f ? opcode - 0x5f : 0;
    const instruction: Instruction = { offset, opcode, name: opcodeName(opcode) };
    if (size > 0) {
      // A PUSH cut short by the end of the code reads zeros, as the EVM does.
      const bytes = Array.from({ length: size }, (_, i) => code[offset + 1 + i] ?? 0);
      instruction.immediate = `0x${bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
    }
    instructions.push(instruction);
    offset += 1 + size;
  }
  return instructions;
}

/** A function selector the dispatcher compares the call's first four bytes with, and where. */
export interface DispatcherEntry {
  selector: Hex;
  offset: number;
}

/**
 * The function dispatcher: `PUSH4 selector`, `EQ` (with at most one DUPn or SWAPn between, as
 * optimised code orders the operands either way), then `PUSH target` and `JUMPI`. The binary-search
 * splits of large dispatchers use GT/LT, not EQ, so their pivots are not taken for selectors.
 */
export function dispatcherSelectors(instructions: Instruction[]): DispatcherEntry[] {
  const found = new Map<Hex, number>();
  for (let i = 0; i < instructions.length; i++) {
    const push = instructions[i]!;
    if (push.name !== 'PUSH4' || !push.immediate) continue;
    let j = i + 1;
    if (/^(DUP|SWAP)\d+$/.test(instructions[j]?.name ?? '')) j++;
    if (instructions[j]?.name !== 'EQ') continue;
    const target = instructions[j + 1];
    if (!target?.name.startsWith('PUSH') || instructions[j + 2]?.name !== 'JUMPI') continue;
    if (!found.has(push.immediate)) found.set(push.immediate, push.offset);
  }
  return [...found].map(([selector, offset]) => ({ selector, offset }));
}
