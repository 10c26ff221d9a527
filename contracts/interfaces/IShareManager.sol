// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {OperatorSet} from "../libraries/OperatorSetLib.sol";
import {IStrategy} from "./IStrategy.sol";

/// @title IShareManager
/// @notice The functions the DelegationManager uses to move a staker's deposit shares
/// (EigenLayer-compatible).
interface IShareManager {
    /// @notice Removes `depositSharesToRemove` deposit shares of `staker` in `strategy`; returns what is left.
    /// @dev Only the DelegationManager (when a withdrawal is queued).
    function removeDepositShares(
        address staker,
        IStrategy strategy,
        uint256 depositSharesToRemove
    ) external returns (uint256 depositSharesLeft);

    /// @notice Credits `shares` deposit shares to `staker`; returns (previous deposit shares, added shares).
    /// @dev Only the DelegationManager (when a withdrawal completes as shares).
    function addShares(
        address staker,
        IStrategy strategy,
        uint256 shares
    ) external returns (uint256 prevDepositShares, uint256 addedShares);

    /// @notice Withdraws `shares` from `strategy` and sends the tokens to `staker`.
    /// @dev Only the DelegationManager (when a withdrawal completes as tokens).
    function withdrawSharesAsTokens(address staker, IStrategy strategy, IERC20 token, uint256 shares) external;

    /// @notice `user`'s deposit shares in `strategy`.
    function stakerDepositShares(address user, IStrategy strategy) external view returns (uint256 depositShares);

    /// @notice Records `addedSharesToBurn` shares slashed from `strategy` by slash `slashId` of `operatorSet`,
    /// to be burned or redistributed later by `clearBurnOrRedistributableShares`.
    /// @dev Only the DelegationManager (during `AllocationManager.slashOperator`). Never moves tokens.
    function increaseBurnOrRedistributableShares(
        OperatorSet calldata operatorSet,
        uint256 slashId,
        IStrategy strategy,
        uint256 addedSharesToBurn
    ) external;
}
