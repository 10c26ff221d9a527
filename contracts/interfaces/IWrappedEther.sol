// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IWrappedEther
/// @notice WETH9-style wrapped ether: an ERC-20 backed one-to-one by the ETH it holds. ETH-denominated fees
/// (the DA network's) are wrapped into it so the RewardsCoordinator, which pays ERC-20s, can pay them out.
interface IWrappedEther is IERC20 {
    /// @notice Thrown when a deposit or withdrawal of zero wei is asked for.
    error ZeroAmount();

    /// @notice `account` wrapped `amount` wei into as many tokens.
    event Deposit(address indexed account, uint256 amount);
    /// @notice `account` unwrapped `amount` tokens into as many wei.
    event Withdrawal(address indexed account, uint256 amount);

    /// @notice Wraps `msg.value` wei: mints as many tokens to the caller. Sending ETH to the contract does the same.
    function deposit() external payable;

    /// @notice Unwraps `amount` tokens: burns them from the caller and sends it as many wei.
    function withdraw(uint256 amount) external;
}
