// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IBackingEigen} from "../interfaces/IBackingEigen.sol";
import {IBEigenStrategy} from "../interfaces/IBEigenStrategy.sol";
import {IEigen} from "../interfaces/IEigen.sol";
import {IPauserRegistry} from "../interfaces/IPauserRegistry.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IStrategyManager} from "../interfaces/IStrategyManager.sol";
import {StrategyBase} from "./StrategyBase.sol";

/// @title BEigenStrategy
/// @notice Restaked EIGEN is held as bEIGEN (as EigenLayer's EigenStrategy): a deposit of EIGEN unwraps it, a
/// deposit of bEIGEN is taken as is, a withdrawal rewraps into EIGEN when asked for EIGEN. Holding bEIGEN is
/// what makes restaked stake forkable: on a fork the pool's balance at the timepoint is split among stakers by
/// the fork's stake snapshot, and stake delegated to accused operators is excluded (docs/fork.md).
/// @dev While a challenge is open, EIGEN deposits are refused (bEIGEN deposits are fine) and withdrawals
/// asking for EIGEN are paid in bEIGEN (wraps are frozen). A strategy serves one bEIGEN generation.
contract BEigenStrategy is StrategyBase, IBEigenStrategy {
    using SafeERC20 for IERC20;

    /// @inheritdoc IBEigenStrategy
    IEigen public immutable eigen;
    /// @inheritdoc IBEigenStrategy
    IBackingEigen public immutable bEigen;

    /// @param strategyManager_ The StrategyManager.
    /// @param pauserRegistry_ The shared pauser registry.
    /// @param eigen_ EIGEN; the strategy holds its current backing bEIGEN.
    constructor(
        IStrategyManager strategyManager_,
        IPauserRegistry pauserRegistry_,
        IEigen eigen_
    ) StrategyBase(strategyManager_, pauserRegistry_, IERC20(address(eigen_))) {
        eigen = eigen_;
        bEigen = eigen_.backing();
    }

    /// @notice What this strategy is.
    function explanation() external pure override(IStrategy, StrategyBase) returns (string memory) {
        return "EIGEN strategy: accepts EIGEN or bEIGEN, holds bEIGEN so restaked stake is subject to forks.";
    }

    /// @dev EIGEN is unwrapped into bEIGEN; bEIGEN is taken as is; anything else is refused. Caps apply to the
    /// bEIGEN balance.
    function _beforeDeposit(IERC20 token, uint256 amount) internal override {
        IBackingEigen backing = eigen.backing();
        if (backing != bEigen) revert BackingForked(address(bEigen), address(backing));
        if (token == underlyingToken) {
            (bool open, uint256 challengeId) = eigen.challengeManager().activeChallenge();
            if (open) revert EigenDepositsFrozen(challengeId);
            eigen.unwrap(amount);
        } else if (token != IERC20(address(bEigen))) {
            revert OnlyUnderlyingToken(address(token), address(underlyingToken));
        }
        super._beforeDeposit(underlyingToken, amount);
    }

    /// @dev Withdrawals may ask for EIGEN or bEIGEN.
    function _beforeWithdrawal(address, IERC20 token, uint256) internal view override {
        if (token != underlyingToken && token != IERC20(address(bEigen))) {
            revert OnlyUnderlyingToken(address(token), address(underlyingToken));
        }
    }

    /// @dev Rewraps into EIGEN when EIGEN is asked for and wrapping is possible; otherwise pays bEIGEN.
    function _afterWithdrawal(address recipient, IERC20 token, uint256 amountToSend) internal override {
        if (token == underlyingToken) {
            (bool open, ) = eigen.challengeManager().activeChallenge();
            if (!open && eigen.backing() == bEigen) {
                IERC20(address(bEigen)).forceApprove(address(eigen), amountToSend);
                eigen.wrap(amountToSend);
                underlyingToken.safeTransfer(recipient, amountToSend);
                return;
            }
            emit PaidInBackingToken(recipient, amountToSend);
        }
        IERC20(address(bEigen)).safeTransfer(recipient, amountToSend);
    }

    /// @dev The strategy's assets are its bEIGEN.
    function _tokenBalance() internal view override returns (uint256) {
        return bEigen.balanceOf(address(this));
    }
}
