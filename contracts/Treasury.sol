// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IERC20 {
    function transfer(address to, uint256 value) external returns (bool);
    function balanceOf(address owner) external view returns (uint256);
}

/// @title The platform treasury: holds the $FORGE supply and pays out on its operator's order.
/// @notice The operator is the one key the blockchain subgraph's signing module holds. Ownership can
///         move to another key (or a multisig, or an HSM-backed address) with `transferOperator`.
contract Treasury {
    address public operator;

    event OperatorTransferred(address indexed previousOperator, address indexed newOperator);
    event Payout(address indexed token, address indexed to, uint256 value);

    modifier onlyOperator() {
        require(msg.sender == operator, "Treasury: caller is not the operator");
        _;
    }

    constructor(address initialOperator) {
        require(initialOperator != address(0), "Treasury: operator is the zero address");
        operator = initialOperator;
        emit OperatorTransferred(address(0), initialOperator);
    }

    function payout(IERC20 token, address to, uint256 value) external onlyOperator {
        require(token.transfer(to, value), "Treasury: token transfer failed");
        emit Payout(address(token), to, value);
    }

    function balanceOf(IERC20 token) external view returns (uint256) {
        return token.balanceOf(address(this));
    }

    function transferOperator(address newOperator) external onlyOperator {
        require(newOperator != address(0), "Treasury: operator is the zero address");
        emit OperatorTransferred(operator, newOperator);
        operator = newOperator;
    }
}
