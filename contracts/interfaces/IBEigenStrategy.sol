// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBackingEigen} from "./IBackingEigen.sol";
import {IEigen} from "./IEigen.sol";
import {IStrategy} from "./IStrategy.sol";

/// @title IBEigenStrategy
/// @notice The restaking strategy for EIGEN: its underlying token is EIGEN but it holds bEIGEN, so that
/// restaked EIGEN is exposed to fork challenges (deposits of EIGEN unwrap, withdrawals rewrap). Each strategy
/// serves one bEIGEN generation: after a fork becomes canonical, governance deploys a new one for the fork.
interface IBEigenStrategy is IStrategy {
    /// @notice Thrown when EIGEN is deposited while challenge `challengeId` is open (deposit bEIGEN instead:
    /// EIGEN unwrapped by the strategy after the timepoint could not be attributed to the staker on a fork).
    error EigenDepositsFrozen(uint256 challengeId);
    /// @notice Thrown on deposit once EIGEN's backing moved from this strategy's bEIGEN to `backing`.
    error BackingForked(address strategyToken, address backing);

    /// @notice A withdrawal asked for EIGEN but was paid in bEIGEN, because wraps were frozen or EIGEN's
    /// backing moved to a fork.
    event PaidInBackingToken(address indexed recipient, uint256 amount);

    /// @notice EIGEN.
    function eigen() external view returns (IEigen);

    /// @notice The bEIGEN this strategy holds (EIGEN's backing when the strategy was deployed).
    function bEigen() external view returns (IBackingEigen);
}
