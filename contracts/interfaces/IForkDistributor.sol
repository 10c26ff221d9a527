// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBackingEigen} from "./IBackingEigen.sol";

/// @title IForkDistributorTypes
interface IForkDistributorTypes {
    /// @notice Everything a fork's distributor needs, fixed when the fork is created.
    /// @param challengeId The challenge this fork answers.
    /// @param parent The bEIGEN being forked (canonical when the challenge was opened).
    /// @param timepoint The challenge's timepoint: balances are those at the end of that block.
    /// @param challenger Redeems `commitment + reward` on the fork.
    /// @param commitment bEIGEN the challenger burned on the parent to open the challenge.
    /// @param reward Fork tokens granted to the challenger on top of its commitment (RewardWad of excluded).
    /// @param wrapper The EIGEN contract: claims its held balance without locking (solid representation).
    /// @param stakePool The bEIGEN strategy: its pooled balance is split among stakers by `stakeRoot`.
    /// @param stakeRoot Merkle root (OpenZeppelin StandardMerkleTree, leaf types address,uint256,bool) of
    /// (staker, bEIGEN restaked at the timepoint, excluded).
    /// @param stakedClaimable Sum of the non-excluded leaves: the most stakers can claim in total.
    /// @param stakedExcluded Sum of the excluded leaves (stake delegated to accused operators).
    /// @param poolBalance The pool's bEIGEN balance at the timepoint (>= claimable + excluded).
    /// @param supplyAtTimepoint Parent supply at the timepoint plus the burned commitment.
    /// @param redeemEnd Holders may lock-and-claim until this time (exclusive).
    /// @param lockDuration Seconds that locked parent tokens stay locked (> the redemption window).
    /// @param snapshotURI Where the full snapshot (every leaf) is published for anyone to re-check.
    struct ForkConfig {
        uint256 challengeId;
        IBackingEigen parent;
        uint48 timepoint;
        address challenger;
        uint256 commitment;
        uint256 reward;
        address wrapper;
        address stakePool;
        bytes32 stakeRoot;
        uint256 stakedClaimable;
        uint256 stakedExcluded;
        uint256 poolBalance;
        uint256 supplyAtTimepoint;
        uint48 redeemEnd;
        uint48 lockDuration;
        string snapshotURI;
    }

    /// @notice Parent tokens locked by a holder who claimed on the fork.
    struct Lock {
        address owner;
        uint48 unlockAt;
        uint256 amount;
    }
}

/// @title IForkDistributorErrors
interface IForkDistributorErrors {
    /// @notice Thrown when someone other than the fork factory initialises the fork token.
    error OnlyFactory(address caller);
    /// @notice Thrown when the fork token is set twice or is used before it is set.
    error ForkTokenAlreadySet();
    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when `account` may not use this claim path (the stake pool, or the wrapper locking).
    error NotEligible(address account);
    /// @notice Thrown when a claim asks more than `account`'s remaining allocation.
    error AllocationExceeded(address account, uint256 requested, uint256 available);
    /// @notice Thrown when (`staker`, `amount`, not excluded) is not a leaf of the stake root.
    error InvalidStakeProof(address staker, uint256 amount);
    /// @notice Thrown when `account` has already claimed on this path.
    error AlreadyClaimed(address account);
    /// @notice Thrown when stake claims would exceed the committed claimable total.
    error StakeClaimsExceedSnapshot(uint256 claimed, uint256 stakedClaimable);
    /// @notice Thrown when a lock-and-claim comes at or after the end of the redemption window.
    error RedemptionWindowClosed(uint256 nowTime, uint48 redeemEnd);
    /// @notice Thrown when lock `lockId` is released before `unlockAt`.
    error LockNotReleased(uint256 lockId, uint48 unlockAt);
    /// @notice Thrown when lock `lockId` does not exist, was released, or belongs to someone else.
    error NotLockOwner(uint256 lockId, address caller);
    /// @notice Thrown when `caller` is not the wrapper (EIGEN).
    error OnlyWrapper(address caller);
    /// @notice Thrown when `caller` is not the challenger.
    error OnlyChallenger(address caller);
}

/// @title IForkDistributorEvents
interface IForkDistributorEvents {
    /// @notice The fork token was bound to this distributor.
    event ForkTokenSet(address token);
    /// @notice `staker` claimed `amount` for its restaked bEIGEN at the timepoint.
    event StakeClaimed(address indexed staker, uint256 amount);
    /// @notice `account` locked `amount` parent tokens until `unlockAt` and received `amount` fork tokens.
    event LockedAndClaimed(address indexed account, uint256 indexed lockId, uint256 amount, uint48 unlockAt);
    /// @notice Lock `lockId` was released to `account`.
    event Unlocked(uint256 indexed lockId, address indexed account, uint256 amount);
    /// @notice The wrapper (EIGEN) claimed its held balance at the timepoint.
    event WrapperBackingClaimed(address indexed wrapper, uint256 amount);
    /// @notice The challenger redeemed its commitment plus its reward.
    event CommitmentRedeemed(address indexed challenger, uint256 commitment, uint256 reward);
}

/// @title IForkDistributor
/// @notice Mints a fork's bEIGEN' to those entitled to it: every holder's balance at the challenge's
/// timepoint, except stake delegated to the accused operators; plus the challenger's commitment and reward.
/// Invariant: totalClaimed() + unclaimed() + excludedSupply() == supplyAtTimepoint.
interface IForkDistributor is IForkDistributorTypes, IForkDistributorErrors, IForkDistributorEvents {
    /// @notice Binds the fork token (minted only by this distributor). Only the factory, once.
    function setForkToken(IBackingEigen token) external;

    /// @notice Mints `amount` fork tokens to `staker` for its restaked bEIGEN at the timepoint, proven by a
    /// leaf (staker, amount, false) of the stake root. Anyone may call; tokens go to `staker`; once per staker.
    function claimStaked(address staker, uint256 amount, bytes32[] calldata proof) external;

    /// @notice A holder (not the pool, not the wrapper) locks `amount` parent tokens for lockDuration and
    /// receives `amount` fork tokens, up to its balance at the timepoint; only before redeemEnd.
    /// @return lockId The lock to release with unlock() after it matures.
    function lockAndClaim(uint256 amount) external returns (uint256 lockId);

    /// @notice Returns lock `lockId`'s parent tokens to its owner once `unlockAt` has passed.
    function unlock(uint256 lockId) external;

    /// @notice The wrapper (EIGEN) claims its whole balance at the timepoint, without lock or deadline,
    /// so that every EIGEN stays redeemable for one unit of the canonical bEIGEN.
    function claimWrapperBacking() external returns (uint256 amount);

    /// @notice The challenger redeems its burned commitment plus the reward, once, without deadline.
    function redeemCommitment() external returns (uint256 amount);

    /// @notice The fork's parameters.
    function config() external view returns (ForkConfig memory);

    /// @notice The fork token (bEIGEN').
    function forkToken() external view returns (IBackingEigen);

    /// @notice `account`'s held balance at the timepoint that the hold path covers (0 for the pool).
    function heldAllocationOf(address account) external view returns (uint256);

    /// @notice Fork tokens `account` already received through the hold path (lock or wrapper).
    function heldClaimed(address account) external view returns (uint256);

    /// @notice Whether `staker` already claimed its stake.
    function stakeClaimed(address staker) external view returns (bool);

    /// @notice Lock `lockId`.
    function getLock(uint256 lockId) external view returns (Lock memory);

    /// @notice Number of locks (the last id).
    function lockCount() external view returns (uint256);

    /// @notice Supply excluded from the fork: the pool's unattributed and excluded stake minus the reward.
    function excludedSupply() external view returns (uint256);

    /// @notice Fork tokens minted so far.
    function totalClaimed() external view returns (uint256);

    /// @notice Fork tokens still claimable: supplyAtTimepoint - excludedSupply - totalClaimed.
    function unclaimed() external view returns (uint256);
}
