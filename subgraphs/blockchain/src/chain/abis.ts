import { parseAbi } from 'viem';

/**
 * The typed interfaces of the contracts in contracts/, written out so viem infers argument and
 * result types at compile time. A test checks they agree with what solc compiles.
 */
export const forgeTokenAbi = parseAbi([
  'function name() view returns (string)',
  'function symbol() view returns (string)',
  'function decimals() view returns (uint8)',
  'function totalSupply() view returns (uint256)',
  'function balanceOf(address owner) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function transfer(address to, uint256 value) returns (bool)',
  'function approve(address spender, uint256 value) returns (bool)',
  'function transferFrom(address from, address to, uint256 value) returns (bool)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'event Approval(address indexed owner, address indexed spender, uint256 value)',
]);

export const treasuryAbi = parseAbi([
  'function operator() view returns (address)',
  'function balanceOf(address token) view returns (uint256)',
  'function payout(address token, address to, uint256 value)',
  'function transferOperator(address newOperator)',
  'event Payout(address indexed token, address indexed to, uint256 value)',
  'event OperatorTransferred(address indexed previousOperator, address indexed newOperator)',
]);

export const TRANSFER_EVENT = forgeTokenAbi.find((item) => item.type === 'event' && item.name === 'Transfer')!;
