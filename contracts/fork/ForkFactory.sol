// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IBackingEigen} from "../interfaces/IBackingEigen.sol";
import {ICanonicalForkRegistry} from "../interfaces/ICanonicalForkRegistry.sol";
import {IForkChallengeManager, IForkChallengeManagerTypes} from "../interfaces/IForkChallengeManager.sol";
import {IForkDistributor, IForkDistributorTypes} from "../interfaces/IForkDistributor.sol";
import {IForkFactory} from "../interfaces/IForkFactory.sol";
import {BackingEigen} from "../token/BackingEigen.sol";
import {ForkDistributor} from "./ForkDistributor.sol";

/// @title ForkFactory
/// @notice Creates a fork of the canonical bEIGEN for an open challenge: the fork token bEIGEN' and its
/// ForkDistributor. It checks on-chain what can be checked: the snapshot's totals fit in the stake pool's
/// balance at the timepoint and the excluded stake is at least DPF of the supply, or the fork is invalid.
/// Which leaf is excluded is checked by anyone re-running `vcloud fork snapshot` (docs/fork.md).
contract ForkFactory is Ownable, IForkFactory {
    uint256 internal constant WAD = 1e18;

    /// @notice The canonical fork registry that records every fork.
    ICanonicalForkRegistry public immutable registry;
    /// @notice The challenge manager whose open challenges may be forked.
    IForkChallengeManager public immutable challengeManager;
    /// @inheritdoc IForkFactory
    address public immutable wrapper;
    /// @inheritdoc IForkFactory
    uint256 public immutable dpfWad;
    /// @inheritdoc IForkFactory
    uint256 public immutable rewardWad;
    /// @inheritdoc IForkFactory
    uint48 public immutable redeemWindow;
    /// @inheritdoc IForkFactory
    uint48 public immutable lockDuration;
    /// @inheritdoc IForkFactory
    address public stakePool;

    /// @notice Fork parameters fixed at deployment.
    struct Parameters {
        uint256 dpfWad;
        uint256 rewardWad;
        uint48 redeemWindow;
        uint48 lockDuration;
    }

    /// @param registry_ The canonical fork registry.
    /// @param challengeManager_ The challenge manager.
    /// @param wrapper_ EIGEN, which claims its backing on every fork.
    /// @param stakePool_ The bEIGEN strategy (may be set later by governance).
    /// @param params DPF in (0,1], reward <= 1, 0 < redeemWindow < lockDuration, and the challenge must stay
    /// open for the whole redemption window of a fork created at the end of the fork window.
    /// @param owner_ Governance (the timelock).
    constructor(
        ICanonicalForkRegistry registry_,
        IForkChallengeManager challengeManager_,
        address wrapper_,
        address stakePool_,
        Parameters memory params,
        address owner_
    ) Ownable(owner_) {
        if (
            params.dpfWad == 0 ||
            params.dpfWad > WAD ||
            params.rewardWad > WAD ||
            params.redeemWindow == 0 ||
            params.lockDuration <= params.redeemWindow ||
            uint256(challengeManager_.forkWindow()) + params.redeemWindow > challengeManager_.resolutionWindow()
        ) revert InvalidParameters();
        registry = registry_;
        challengeManager = challengeManager_;
        wrapper = wrapper_;
        stakePool = stakePool_;
        dpfWad = params.dpfWad;
        rewardWad = params.rewardWad;
        redeemWindow = params.redeemWindow;
        lockDuration = params.lockDuration;
        emit StakePoolSet(address(0), stakePool_);
    }

    /// @inheritdoc IForkFactory
    function setStakePool(address pool) external onlyOwner {
        emit StakePoolSet(stakePool, pool);
        stakePool = pool;
    }

    /// @inheritdoc IForkFactory
    function createFork(
        uint256 challengeId,
        bytes32 stakeRoot,
        uint256 stakedClaimable,
        uint256 stakedExcluded,
        string calldata snapshotURI
    ) external returns (uint256 forkId, IBackingEigen token, IForkDistributor distributor) {
        IForkDistributorTypes.ForkConfig memory config = _checkedConfig(
            _openChallenge(challengeId),
            challengeId,
            stakeRoot,
            stakedClaimable,
            stakedExcluded
        );
        config.snapshotURI = snapshotURI;
        return _deploy(config);
    }

    /// @dev The challenge, if it is open and inside its fork window, after its own block.
    function _openChallenge(uint256 challengeId) internal view returns (IForkChallengeManagerTypes.Challenge memory c) {
        if (challengeManager.statusOf(challengeId) != IForkChallengeManagerTypes.ChallengeStatus.Open) {
            revert ChallengeNotOpen(challengeId);
        }
        c = challengeManager.getChallenge(challengeId);
        uint256 deadline = uint256(c.timepoint) + challengeManager.forkWindow();
        // fork and redeem windows last days; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp >= deadline) revert ForkWindowClosed(challengeId, deadline);
        // fork and redeem windows last days; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp <= c.timepoint) revert TimepointNotFinal(challengeId, c.timepoint);
    }

    /// @dev Checks the snapshot totals against the pool's balance and DPF; builds the distributor's config.
    function _checkedConfig(
        IForkChallengeManagerTypes.Challenge memory c,
        uint256 challengeId,
        bytes32 stakeRoot,
        uint256 stakedClaimable,
        uint256 stakedExcluded
    ) internal view returns (IForkDistributorTypes.ForkConfig memory config) {
        address pool = stakePool;
        uint256 poolBalance = pool == address(0) ? 0 : c.token.getPastBalance(pool, c.timepoint);
        if (stakedClaimable + stakedExcluded > poolBalance) {
            revert SnapshotExceedsPool(stakedClaimable + stakedExcluded, poolBalance);
        }
        if (stakeRoot == bytes32(0) && stakedClaimable > 0) revert EmptyStakeRoot();
        uint256 supply = c.token.getPastTotalSupply(c.timepoint) + c.commitment;
        uint256 required = Math.mulDiv(dpfWad, supply, WAD, Math.Rounding.Ceil);
        if (stakedExcluded < required) revert DeflationBelowDPF(stakedExcluded, required);

        config.challengeId = challengeId;
        config.parent = c.token;
        config.timepoint = c.timepoint;
        config.challenger = c.challenger;
        config.commitment = c.commitment;
        config.reward = Math.mulDiv(rewardWad, stakedExcluded, WAD);
        config.wrapper = wrapper;
        config.stakePool = pool;
        config.stakeRoot = stakeRoot;
        config.stakedClaimable = stakedClaimable;
        config.stakedExcluded = stakedExcluded;
        config.poolBalance = poolBalance;
        config.supplyAtTimepoint = supply;
        // fork and redeem windows last days; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        config.redeemEnd = uint48(block.timestamp) + redeemWindow;
        config.lockDuration = lockDuration;
    }

    /// @dev Deploys the distributor and the fork token (minted only by the distributor) and records the fork.
    function _deploy(
        IForkDistributorTypes.ForkConfig memory config
    ) internal returns (uint256 forkId, IBackingEigen token, IForkDistributor distributor) {
        forkId = registry.forkCount();
        distributor = new ForkDistributor(config);
        token = new BackingEigen(
            string.concat("Backing Eigen fork ", Strings.toString(forkId)),
            "bEIGEN",
            Ownable(address(registry)).owner(),
            address(distributor),
            address(0),
            0
        );
        distributor.setForkToken(token);
        registry.registerFork(config.challengeId, config.parent, token, distributor);
        emit ForkCreated(
            forkId,
            config.challengeId,
            address(token),
            address(distributor),
            config.stakeRoot,
            config.stakedClaimable,
            config.stakedExcluded,
            config.reward,
            config.snapshotURI
        );
    }
}
