// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IBurnableToken
/// @notice The part of EIGEN the buyback releasers rely on: a plain ERC-20 with OpenZeppelin
/// `ERC20Burnable.burnFrom`, which spends the caller's allowance from `account` and destroys the tokens, so
/// `totalSupply` falls by `value`. Any OpenZeppelin `ERC20Burnable` token satisfies it.
interface IBurnableToken is IERC20 {
    /// @notice Destroys `value` tokens of `account`, spending the caller's allowance from `account`.
    function burnFrom(address account, uint256 value) external;
}
