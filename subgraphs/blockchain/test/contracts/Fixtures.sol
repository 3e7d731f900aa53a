// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Contracts the chain-intelligence tests deploy: shapes found on real chains, written small.

/// A plain EIP-20 token: fixed supply to the deployer, no owner, no mint.
contract PlainToken {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint256 supply) {
        name = name_;
        symbol = symbol_;
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        require(allowance[from][msg.sender] >= value, "allowance");
        allowance[from][msg.sender] -= value;
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) internal {
        require(balanceOf[from] >= value, "balance");
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}

/// An owned token whose owner can mint, pause and blacklist: the classic rug-pull toolkit.
contract MintableToken {
    address public owner;
    bool public paused;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public isBlacklisted;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    modifier onlyOwner() {
        require(msg.sender == owner, "owner");
        _;
    }

    function initialize(address owner_) external {
        require(owner == address(0), "initialized");
        owner = owner_;
    }

    constructor() {
        owner = msg.sender;
    }

    function mint(address to, uint256 value) external onlyOwner {
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    function pause() external onlyOwner {
        paused = true;
    }

    function unpause() external onlyOwner {
        paused = false;
    }

    function addToBlacklist(address account) external onlyOwner {
        isBlacklisted[account] = true;
    }

    function transferOwnership(address next) external onlyOwner {
        owner = next;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        require(!paused && !isBlacklisted[msg.sender], "blocked");
        require(balanceOf[msg.sender] >= value, "balance");
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        require(!paused && !isBlacklisted[from], "blocked");
        require(allowance[from][msg.sender] >= value && balanceOf[from] >= value, "allowance");
        allowance[from][msg.sender] -= value;
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
        return true;
    }
}

/// Delegates every call to the code `_target` names: the part every proxy shares.
abstract contract DelegatingProxy {
    function _target() internal view virtual returns (address);

    fallback() external payable {
        address target = _target();
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 {
                revert(0, returndatasize())
            }
            default {
                return(0, returndatasize())
            }
        }
    }
}

/// An EIP-1967 proxy: the implementation in the standard slot, every call delegated to it.
contract ERC1967Proxy is DelegatingProxy {
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    bytes32 internal constant ADMIN_SLOT = 0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103;

    /// A non-zero `admin` makes it the transparent kind: that address may upgrade it.
    constructor(address implementation, address admin, bytes memory init) {
        assembly {
            sstore(ADMIN_SLOT, admin)
        }
        assembly {
            sstore(IMPLEMENTATION_SLOT, implementation)
        }
        if (init.length > 0) {
            (bool ok, ) = implementation.delegatecall(init);
            require(ok, "init");
        }
    }

    function _target() internal view override returns (address target) {
        assembly {
            target := sload(IMPLEMENTATION_SLOT)
        }
    }
}

/// A vault its owner can destroy, sending the balance anywhere.
contract Destructible {
    address public owner = msg.sender;

    receive() external payable {}

    function destroy(address payable to) external {
        require(msg.sender == owner, "owner");
        selfdestruct(to);
    }
}

/// A minimal EIP-721 collection that answers EIP-165.
contract SimpleNft {
    mapping(uint256 => address) public ownerOf;
    mapping(address => uint256) public balanceOf;
    mapping(uint256 => address) public getApproved;
    mapping(address => mapping(address => bool)) public isApprovedForAll;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    constructor() {
        ownerOf[1] = msg.sender;
        balanceOf[msg.sender] = 1;
        emit Transfer(address(0), msg.sender, 1);
    }

    function supportsInterface(bytes4 id) external pure returns (bool) {
        return id == 0x01ffc9a7 || id == 0x80ac58cd;
    }

    function approve(address to, uint256 tokenId) external {
        require(ownerOf[tokenId] == msg.sender, "owner");
        getApproved[tokenId] = to;
    }

    function setApprovalForAll(address operator, bool approved) external {
        isApprovedForAll[msg.sender][operator] = approved;
    }

    function transferFrom(address from, address to, uint256 tokenId) public {
        require(ownerOf[tokenId] == from, "from");
        require(msg.sender == from || getApproved[tokenId] == msg.sender || isApprovedForAll[from][msg.sender], "approved");
        ownerOf[tokenId] = to;
        balanceOf[from] -= 1;
        balanceOf[to] += 1;
        delete getApproved[tokenId];
        emit Transfer(from, to, tokenId);
    }

    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        transferFrom(from, to, tokenId);
    }

    function safeTransferFrom(address from, address to, uint256 tokenId, bytes calldata) external {
        transferFrom(from, to, tokenId);
    }
}

interface IERC20 {
    function transferFrom(address from, address to, uint256 value) external returns (bool);

    function transfer(address to, uint256 value) external returns (bool);

    function approve(address spender, uint256 value) external returns (bool);
}

/// A constant-product pool (x * y = k, 0.3 % fee) that logs Uniswap V2's Swap event.
contract ConstantProductPool {
    address public immutable token0;
    address public immutable token1;
    uint256 public reserve0;
    uint256 public reserve1;

    event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to);

    constructor(address token0_, address token1_) {
        token0 = token0_;
        token1 = token1_;
    }

    /// The caller must have approved both amounts.
    function addLiquidity(uint256 amount0, uint256 amount1) external {
        IERC20(token0).transferFrom(msg.sender, address(this), amount0);
        IERC20(token1).transferFrom(msg.sender, address(this), amount1);
        reserve0 += amount0;
        reserve1 += amount1;
    }

    function getAmountOut(uint256 amountIn, bool zeroForOne) public view returns (uint256) {
        (uint256 reserveIn, uint256 reserveOut) = zeroForOne ? (reserve0, reserve1) : (reserve1, reserve0);
        uint256 withFee = amountIn * 997;
        return (withFee * reserveOut) / (reserveIn * 1000 + withFee);
    }

    /// Logs a swap as Uniswap V2 does; `net0`/`net1` are the amounts into the pool (negative: out of it).
    function _logSwap(int256 net0, int256 net1) internal virtual {
        emit Swap(msg.sender, net0 > 0 ? uint256(net0) : 0, net1 > 0 ? uint256(net1) : 0, net0 < 0 ? uint256(-net0) : 0, net1 < 0 ? uint256(-net1) : 0, msg.sender);
    }

    function swap(uint256 amountIn, bool zeroForOne, uint256 minOut) external returns (uint256 amountOut) {
        amountOut = getAmountOut(amountIn, zeroForOne);
        require(amountOut >= minOut, "slippage");
        if (zeroForOne) {
            IERC20(token0).transferFrom(msg.sender, address(this), amountIn);
            IERC20(token1).transfer(msg.sender, amountOut);
            reserve0 += amountIn;
            reserve1 -= amountOut;
            _logSwap(int256(amountIn), -int256(amountOut));
        } else {
            IERC20(token1).transferFrom(msg.sender, address(this), amountIn);
            IERC20(token0).transfer(msg.sender, amountOut);
            reserve1 += amountIn;
            reserve0 -= amountOut;
            _logSwap(-int256(amountOut), int256(amountIn));
        }
    }
}

/// The same pool logging Uniswap V3's Swap event (signed amounts; price and liquidity not modelled).
contract V3StylePool is ConstantProductPool {
    event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick);

    constructor(address token0_, address token1_) ConstantProductPool(token0_, token1_) {}

    function _logSwap(int256 net0, int256 net1) internal override {
        emit Swap(msg.sender, msg.sender, net0, net1, 0, 0, 0);
    }
}

/// A bot's contract: one transaction that trades around a cycle of two pools and keeps the gain.
contract CycleTrader {
    /// `second` must trade `first`'s token1 (as its token0) back into `first`'s token0.
    function cycle(ConstantProductPool first, ConstantProductPool second, uint256 amountIn) external {
        address start = first.token0();
        IERC20(start).transferFrom(msg.sender, address(this), amountIn);
        IERC20(start).approve(address(first), amountIn);
        uint256 middle = first.swap(amountIn, true, 0);
        IERC20(first.token1()).approve(address(second), middle);
        uint256 end = second.swap(middle, true, 0);
        require(end > amountIn, "no profit");
        IERC20(start).transfer(msg.sender, end);
    }
}

/// An implementation that upgrades itself (EIP-1822 / UUPS): the proxy in front holds no upgrade code.
contract UupsCounter {
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    address public owner;
    uint256 public count;

    function initialize(address owner_) external {
        require(owner == address(0), "initialized");
        owner = owner_;
    }

    function increment() external {
        count += 1;
    }

    function proxiableUUID() external pure returns (bytes32) {
        return IMPLEMENTATION_SLOT;
    }

    function upgradeTo(address next) external {
        require(msg.sender == owner, "owner");
        assembly {
            sstore(IMPLEMENTATION_SLOT, next)
        }
    }
}

/// An EIP-1967 beacon: many proxies read their implementation from it.
contract Beacon {
    address public implementation;

    constructor(address implementation_) {
        implementation = implementation_;
    }
}

contract BeaconProxy is DelegatingProxy {
    bytes32 internal constant BEACON_SLOT = 0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50;

    constructor(address beacon) {
        assembly {
            sstore(BEACON_SLOT, beacon)
        }
    }

    function _target() internal view override returns (address) {
        address beacon;
        assembly {
            beacon := sload(BEACON_SLOT)
        }
        return Beacon(beacon).implementation();
    }
}

/// Runs any code the caller names in its own context: whoever calls it owns its storage and balance.
contract Delegator {
    function run(address target, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory out) = target.delegatecall(data);
        require(ok, "failed");
        return out;
    }
}
