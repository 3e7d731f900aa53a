import { toFunctionSelector, type Hex } from 'viem';

/**
 * Function signatures the analysis names. Selectors are computed from the text (keccak256, first
 * four bytes), never typed in by hand, so a typo here cannot name the wrong function.
 */
const SIGNATURES = [
  // EIP-20
  'totalSupply()',
  'balanceOf(address)',
  'transfer(address,uint256)',
  'transferFrom(address,address,uint256)',
  'approve(address,uint256)',
  'allowance(address,address)',
  'name()',
  'symbol()',
  'decimals()',
  // EIP-721
  'ownerOf(uint256)',
  'safeTransferFrom(address,address,uint256)',
  'safeTransferFrom(address,address,uint256,bytes)',
  'setApprovalForAll(address,bool)',
  'getApproved(uint256)',
  'isApprovedForAll(address,address)',
  'tokenURI(uint256)',
  // EIP-1155
  'balanceOf(address,uint256)',
  'balanceOfBatch(address[],uint256[])',
  'safeTransferFrom(address,address,uint256,uint256,bytes)',
  'safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)',
  'uri(uint256)',
  // EIP-165
  'supportsInterface(bytes4)',
  // Ownership and roles
  'owner()',
  'transferOwnership(address)',
  'renounceOwnership()',
  'hasRole(bytes32,address)',
  'grantRole(bytes32,address)',
  'revokeRole(bytes32,address)',
  'operator()',
  'transferOperator(address)',
  // Supply control
  'mint(address,uint256)',
  'mint(uint256)',
  'mintTo(address,uint256)',
  'burn(uint256)',
  'burnFrom(address,uint256)',
  // Pausing
  'pause()',
  'unpause()',
  'paused()',
  // Blacklists
  'addToBlacklist(address)',
  'removeFromBlacklist(address)',
  'blacklist(address)',
  'unBlacklist(address)',
  'addBlackList(address)',
  'removeBlackList(address)',
  'isBlacklisted(address)',
  'blacklisted(address)',
  'freeze(address)',
  // Proxies and upgrades
  'implementation()',
  'upgradeTo(address)',
  'upgradeToAndCall(address,bytes)',
  'proxiableUUID()',
  'changeAdmin(address)',
  'admin()',
  'initialize(address)',
  'initialize()',
  // Pools and the platform's treasury
  'token0()',
  'token1()',
  'getReserves()',
  'swap(uint256,uint256,address,bytes)',
  'swap(uint256,bool,uint256)',
  'addLiquidity(uint256,uint256)',
  'getAmountOut(uint256,bool)',
  'reserve0()',
  'reserve1()',
  'payout(address,address,uint256)',
  'destroy(address)',
] as const;

export const KNOWN_SIGNATURES: ReadonlyMap<Hex, string> = new Map(SIGNATURES.map((signature) => [toFunctionSelector(signature), signature]));

export const selectorOf = (signature: (typeof SIGNATURES)[number]): Hex => toFunctionSelector(signature);
