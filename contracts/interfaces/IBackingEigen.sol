// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IBackingEigenErrors
interface IBackingEigenErrors {
    /// @notice Thrown when `caller` mints without being a minter.
    error NotMinter(address caller);
    /// @notice Thrown when a past balance is asked for a timepoint that is not yet final.
    error FutureLookup(uint256 timepoint, uint48 clock);
}

/// @title IBackingEigenEvents
interface IBackingEigenEvents {
    /// @notice Governance granted or revoked the right to mint.
    event IsMinterModified(address indexed minter, bool isMinter);
}

/// @title IBackingEigen
/// @notice bEIGEN: the staking token that forks. ERC20Votes on a timestamp clock, with per-account balance
/// checkpoints so that a fork can hand out the balances every holder had at a challenge's timepoint.
interface IBackingEigen is IERC20, IBackingEigenErrors, IBackingEigenEvents {
    /// @notice Grants (`isMinter` true) or revokes the right to mint. Only the owner (governance).
    function setIsMinter(address minter, bool isMinter) external;

    /// @notice Whether `account` may mint.
    function isMinter(address account) external view returns (bool);

    /// @notice Mints `amount` to `to`. Only minters (emissions, a fork's distributor).
    function mint(address to, uint256 amount) external;

    /// @notice Destroys `amount` of the caller's tokens.
    function burn(uint256 amount) external;

    /// @notice Destroys `amount` of `account`'s tokens, spending the caller's allowance.
    function burnFrom(address account, uint256 amount) external;

    /// @notice `account`'s balance at the end of the last block with timestamp <= `timepoint`.
    /// @dev Reverts with FutureLookup unless `timepoint` < clock().
    function getPastBalance(address account, uint256 timepoint) external view returns (uint256);

    /// @notice Total supply at the end of the last block with timestamp <= `timepoint` (< clock()).
    function getPastTotalSupply(uint256 timepoint) external view returns (uint256);

    /// @notice The current timepoint: block.timestamp (ERC-6372).
    function clock() external view returns (uint48);
}
