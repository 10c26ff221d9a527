// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @dev 1e18: the unit of magnitudes, slashing factors and deposit scaling factors.
uint64 constant WAD = 1e18;

/// @title SlashingLib
/// @notice The share and magnitude maths of restaking, each function named after its rounding direction.
/// Notation (EigenLayer's SharesAccounting): deposit shares `s`, deposit scaling factor `k`, slashing factor
/// `m` (the operator's max magnitude), withdrawable shares `a = s * k * m`, operator shares `op >= sum(a)`.
/// @dev All products use OpenZeppelin's full-precision `Math.mulDiv`, so no intermediate overflows.
library SlashingLib {
    /// @notice Thrown when a deposit scaling factor update would produce 0.
    error InvalidDepositScalingFactor();

    /// @notice floor(x * y / WAD).
    function mulWad(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD);
    }

    /// @notice floor(x * WAD / y).
    function divWad(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, WAD, y);
    }

    /// @notice ceil(x * y / WAD).
    function mulWadRoundUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD, Math.Rounding.Ceil);
    }

    /// @notice The deposit scaling factor as used in maths: a stored 0 means WAD (never deposited).
    function scalingFactor(uint256 storedFactor) internal pure returns (uint256) {
        return storedFactor == 0 ? WAD : storedFactor;
    }

    /// @notice Withdrawable shares `a = floor(floor(s * k / WAD) * m / WAD)`: rounds down, against the staker.
    function calcWithdrawableRoundDown(
        uint256 depositShares,
        uint256 dsf,
        uint256 slashingFactor
    ) internal pure returns (uint256) {
        return mulWad(mulWad(depositShares, scalingFactor(dsf)), slashingFactor);
    }

    /// @notice Deposit shares worth `withdrawable` shares: `floor(floor(a * WAD / k) * WAD / m)`.
    function calcDepositSharesRoundDown(
        uint256 withdrawable,
        uint256 dsf,
        uint256 slashingFactor
    ) internal pure returns (uint256) {
        return divWad(divWad(withdrawable, scalingFactor(dsf)), slashingFactor);
    }

    /// @notice Scaled shares stored in a queued withdrawal: `floor(s * k / WAD)`; completion multiplies them by
    /// the slashing factor at the end of the delay.
    function scaleForQueueWithdrawalRoundDown(uint256 depositShares, uint256 dsf) internal pure returns (uint256) {
        return mulWad(depositShares, scalingFactor(dsf));
    }

    /// @notice Shares a queued withdrawal pays: `floor(scaled * m / WAD)`.
    function scaleForCompleteWithdrawalRoundDown(
        uint256 scaledShares,
        uint256 slashingFactor
    ) internal pure returns (uint256) {
        return mulWad(scaledShares, slashingFactor);
    }

    /// @notice Shares removed from `operatorShares` when max magnitude drops from `prevMax` to `newMax`:
    /// `op - ceil(op * newMax / prevMax)`. The remaining shares round up, so the slashed amount rounds down
    /// and operator shares stay >= the sum of stakers' (floored) withdrawable shares.
    function calcSlashedAmountRoundDown(
        uint256 operatorShares,
        uint256 prevMax,
        uint256 newMax
    ) internal pure returns (uint256) {
        if (prevMax == 0) return 0;
        return operatorShares - Math.mulDiv(operatorShares, newMax, prevMax, Math.Rounding.Ceil);
    }

    /// @notice The new deposit scaling factor after `added` shares are credited to a staker holding `prev`
    /// deposit shares with factor `dsf`, under slashing factor `m` (EigenLayer's `SlashingLib.update`):
    /// - `prev == 0`: `k' = floor(k * WAD / m)` (the new stake is not hit by past slashes);
    /// - else `k' = floor(floor((a + added) * WAD / (prev + added)) * WAD / m)` with `a` the current
    ///   withdrawable shares, so the staker's withdrawable shares grow by `added` (rounded down).
    /// @dev Reverts with `InvalidDepositScalingFactor` when the result would be 0.
    function updateDepositScalingFactorRoundDown(
        uint256 prev,
        uint256 added,
        uint256 dsf,
        uint256 slashingFactor
    ) internal pure returns (uint256 newDsf) {
        if (prev == 0) {
            newDsf = divWad(scalingFactor(dsf), slashingFactor);
        } else {
            uint256 current = calcWithdrawableRoundDown(prev, dsf, slashingFactor);
            newDsf = divWad(divWad(current + added, prev + added), slashingFactor);
        }
        if (newDsf == 0) revert InvalidDepositScalingFactor();
    }
}
