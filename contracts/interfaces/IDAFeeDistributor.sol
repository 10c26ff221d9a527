// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IRewardsCoordinator, IRewardsCoordinatorTypes} from "./IRewardsCoordinator.sol";
import {IWrappedEther} from "./IWrappedEther.sol";

/// @title IDAFeeDistributor
/// @notice Pays the DA operators' share of certificate fees to the operators that signed the certificates,
/// and on to their stakers. The certificate registry forwards each certificate's operator share here; it
/// accrues to the fee period of the confirmation (`periodOf(block.timestamp)`). After a period ends, the
/// distributor role submits one operator-directed rewards submission for the DA operator set whose amounts
/// sum to exactly what the period accrued (wrapped into WETH); the rewards keeper turns it into Merkle roots
/// with each operator's split. The per-signer amounts are computed off-chain from `BlobConfirmed` and
/// `FeesAccrued` events and the stake table at each reference block (keepers/da-fees/split.ts); this
/// contract enforces the total, the period, set membership and once-only distribution.
interface IDAFeeDistributor {
    /// @notice Period fee accounting.
    struct PeriodFees {
        uint128 accrued;
        bool distributed;
    }

    /// @notice Thrown when `accrue` is called by anyone but the certificate registry.
    error CallerNotRegistry(address caller, address registry);
    /// @notice Thrown when `distribute` is called by anyone but the distributor role.
    error CallerNotDistributor(address caller, address distributor);
    /// @notice Thrown when the fee period is not a positive multiple of the coordinator's interval, or
    /// longer than its maximum rewards duration.
    error InvalidPeriodSeconds(uint32 periodSeconds, uint32 interval, uint32 maxDuration);
    /// @notice Thrown when distributing or reclaiming a period that has not ended.
    error PeriodNotEnded(uint64 period, uint256 endsAt);
    /// @notice Thrown when the period was already distributed (or reclaimed).
    error PeriodAlreadyDistributed(uint64 period);
    /// @notice Thrown when the period accrued nothing.
    error NothingToDistribute(uint64 period);
    /// @notice Thrown when the per-operator amounts do not sum to what the period accrued.
    error RewardsSumMismatch(uint64 period, uint256 sum, uint256 accrued);
    /// @notice Thrown when a rewarded operator is not a member of the DA operator set.
    error NotOperatorSetMember(address operator);
    /// @notice Thrown when reclaiming a period the coordinator would still accept a submission for.
    error PeriodStillDistributable(uint64 period, uint256 reclaimableAt);
    /// @notice Thrown when an address argument is zero.
    error ZeroAddress();

    /// @notice `amount` wei of certificate `certificateId`'s fee accrued to `period` for its signers.
    event FeesAccrued(uint64 indexed period, bytes32 indexed certificateId, uint256 amount);
    /// @notice `period`'s `amount` wei went, wrapped, to `operatorCount` signers through the coordinator.
    event FeesDistributed(uint64 indexed period, uint256 amount, uint256 operatorCount);
    /// @notice Governance took back `period`'s `amount`, which could no longer be distributed.
    event FeesReclaimed(uint64 indexed period, address indexed to, uint256 amount);
    /// @notice The distributor role changed.
    event DistributorSet(address indexed previousDistributor, address indexed newDistributor);

    /// @notice Records `msg.value` as certificate `certificateId`'s operator share in the current period.
    /// Only the certificate registry.
    function accrue(bytes32 certificateId) external payable;

    /// @notice Pays `period`'s accrued fees to `rewards` (operators strictly ascending, amounts non-zero,
    /// summing to the accrued total, each a DA set member): wraps them into WETH and creates one
    /// operator-directed rewards submission over the period. Once per period; only the distributor role.
    function distribute(uint64 period, IRewardsCoordinatorTypes.OperatorReward[] calldata rewards) external;

    /// @notice Sends an undistributed period's fees to `to` once the coordinator no longer accepts a
    /// submission starting at the period (older than its retroactive limit). Only governance.
    function reclaimUndistributable(uint64 period, address payable to) external;

    /// @notice Sets who may call `distribute` (the da-fees keeper's account). Only governance.
    function setDistributor(address newDistributor) external;

    /// @notice The fee period containing `timestamp`.
    function periodOf(uint256 timestamp) external view returns (uint64);

    /// @notice What `period` accrued and whether it was distributed.
    function periodFees(uint64 period) external view returns (PeriodFees memory);

    /// @notice The coordinator the submissions go to.
    function rewardsCoordinator() external view returns (IRewardsCoordinator);

    /// @notice The wrapped-ether token the fees are paid in.
    function weth() external view returns (IWrappedEther);

    /// @notice The only account allowed to `accrue`.
    function registry() external view returns (address);

    /// @notice The account allowed to `distribute`.
    function distributor() external view returns (address);

    /// @notice Length of a fee period in seconds (a multiple of the coordinator's calculation interval).
    function periodSeconds() external view returns (uint32);
}
