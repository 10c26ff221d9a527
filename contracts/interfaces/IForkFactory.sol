// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBackingEigen} from "./IBackingEigen.sol";
import {IForkDistributor} from "./IForkDistributor.sol";

/// @title IForkFactoryErrors
interface IForkFactoryErrors {
    /// @notice Thrown when a fork for `challengeId` is created after its fork window closed at `deadline`.
    error ForkWindowClosed(uint256 challengeId, uint256 deadline);
    /// @notice Thrown when a fork is created for `challengeId`, which is not open.
    error ChallengeNotOpen(uint256 challengeId);
    /// @notice Thrown when a fork is created in the challenge's own block (its timepoint is not final yet).
    error TimepointNotFinal(uint256 challengeId, uint48 timepoint);
    /// @notice Thrown when the snapshot's committed totals exceed the pool's balance at the timepoint.
    error SnapshotExceedsPool(uint256 snapshotTotal, uint256 poolBalance);
    /// @notice Thrown when the excluded stake is below DPF of the supply at the timepoint: an invalid fork.
    error DeflationBelowDPF(uint256 excluded, uint256 required);
    /// @notice Thrown when the stake root is zero while claimable stake is committed.
    error EmptyStakeRoot();
    /// @notice Thrown when DPF/reward are zero or above 1 (WAD), or the windows are inconsistent.
    error InvalidParameters();
}

/// @title IForkFactoryEvents
interface IForkFactoryEvents {
    /// @notice A fork was created for `challengeId`: token bEIGEN' and its distributor.
    event ForkCreated(
        uint256 indexed forkId,
        uint256 indexed challengeId,
        address token,
        address distributor,
        bytes32 stakeRoot,
        uint256 stakedClaimable,
        uint256 stakedExcluded,
        uint256 reward,
        string snapshotURI
    );
    /// @notice Governance changed the stake pool (the bEIGEN strategy) whose balance the snapshot splits.
    event StakePoolSet(address previousPool, address newPool);
}

/// @title IForkFactory
/// @notice Deploys a fork of the canonical bEIGEN (token bEIGEN' plus its ForkDistributor) for an open
/// challenge, after checking the snapshot's totals and the DPF bound on-chain.
interface IForkFactory is IForkFactoryErrors, IForkFactoryEvents {
    /// @notice Creates a fork for open challenge `challengeId` within its fork window. `stakeRoot` commits to
    /// every staker's restaked bEIGEN at the timepoint and whether it is excluded (delegated to an accused
    /// operator); the totals are checked against the pool's balance and DPF. Anyone may call; governance
    /// picks among competing forks. `snapshotURI` says where the snapshot file is published.
    function createFork(
        uint256 challengeId,
        bytes32 stakeRoot,
        uint256 stakedClaimable,
        uint256 stakedExcluded,
        string calldata snapshotURI
    ) external returns (uint256 forkId, IBackingEigen token, IForkDistributor distributor);

    /// @notice Sets the stake pool (the bEIGEN strategy). Only the owner (governance).
    function setStakePool(address pool) external;

    /// @notice The stake pool whose bEIGEN balance the snapshot splits among stakers.
    function stakePool() external view returns (address);

    /// @notice The wrapper (EIGEN) that claims its backing on every fork.
    function wrapper() external view returns (address);

    /// @notice Deflation-per-fork: the least WAD fraction of the supply that a fork must exclude.
    function dpfWad() external view returns (uint256);

    /// @notice The challenger's reward, a WAD fraction of the excluded stake.
    function rewardWad() external view returns (uint256);

    /// @notice Seconds after a fork's creation during which holders may lock-and-claim (T_redeem).
    function redeemWindow() external view returns (uint48);

    /// @notice Seconds a lock holds parent tokens (T_lock > T_redeem).
    function lockDuration() external view returns (uint48);
}
