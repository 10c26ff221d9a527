// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IWrappedEther} from "../interfaces/IWrappedEther.sol";

/// @title WrappedEther
/// @notice WETH9 on OpenZeppelin's ERC20: `deposit` (or a plain transfer of ETH) mints one token per wei,
/// `withdraw` burns them and returns the wei. No owner, no fees, no other way to mint: total supply always
/// equals the ETH held (ETH forced in by selfdestruct only adds unowned backing).
contract WrappedEther is IWrappedEther, ERC20, ReentrancyGuard {
    constructor() ERC20("Wrapped Ether", "WETH") {}

    /// @notice Wraps ETH sent without calldata.
    receive() external payable {
        _deposit();
    }

    /// @inheritdoc IWrappedEther
    function deposit() external payable {
        _deposit();
    }

    /// @inheritdoc IWrappedEther
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _burn(msg.sender, amount);
        emit Withdrawal(msg.sender, amount);
        Address.sendValue(payable(msg.sender), amount);
    }

    function _deposit() private {
        if (msg.value == 0) revert ZeroAmount();
        _mint(msg.sender, msg.value);
        emit Deposit(msg.sender, msg.value);
    }
}
