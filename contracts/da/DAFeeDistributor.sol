// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable2Step, Ownable} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IAllocationManager} from "../interfaces/IAllocationManager.sol";
import {IBLSAVSRegistrar} from "../interfaces/IBLSAVSRegistrar.sol";
import {IDAFeeDistributor} from "../interfaces/IDAFeeDistributor.sol";
import {IRewardsCoordinator, IRewardsCoordinatorTypes} from "../interfaces/IRewardsCoordinator.sol";
import {IWrappedEther} from "../interfaces/IWrappedEther.sol";
import {OperatorSet} from "../libraries/OperatorSetLib.sol";

/// @title DAFeeDistributor
/// @notice Holds the DA operators' share of certificate fees per fee period and pays each period, once,
/// to the operators that signed its certificates through the RewardsCoordinator (operator-directed
/// submissions, in WETH). See IDAFeeDistributor. The DA AVS appoints this contract as a rewards submitter
/// for its operator set (`RewardsCoordinator.setRewardsSubmitter`).
contract DAFeeDistributor is IDAFeeDistributor, Ownable2Step, ReentrancyGuard {
    using SafeERC20 for IWrappedEther;

    /// @inheritdoc IDAFeeDistributor
    address public immutable registry;
    /// @notice The DA operator set's registrar (operator set, strategies and their weights).
    IBLSAVSRegistrar public immutable registrar;
    /// @inheritdoc IDAFeeDistributor
    IRewardsCoordinator public immutable rewardsCoordinator;
    /// @inheritdoc IDAFeeDistributor
    IWrappedEther public immutable weth;
    /// @inheritdoc IDAFeeDistributor
    uint32 public immutable periodSeconds;

    /// @inheritdoc IDAFeeDistributor
    address public distributor;

    mapping(uint64 period => PeriodFees) private _periods;

    /// @notice Deployment parameters.
    struct Config {
        address governance;
        address registry;
        IBLSAVSRegistrar registrar;
        IRewardsCoordinator rewardsCoordinator;
        IWrappedEther weth;
        address distributor;
        uint32 periodSeconds;
    }

    constructor(Config memory config) Ownable(config.governance) {
        if (
            config.registry == address(0) ||
            address(config.registrar) == address(0) ||
            address(config.rewardsCoordinator) == address(0) ||
            address(config.weth) == address(0)
        ) revert ZeroAddress();
        uint32 interval = config.rewardsCoordinator.CALCULATION_INTERVAL_SECONDS();
        uint32 maxDuration = config.rewardsCoordinator.MAX_REWARDS_DURATION();
        if (config.periodSeconds == 0 || config.periodSeconds % interval != 0 || config.periodSeconds > maxDuration) {
            revert InvalidPeriodSeconds(config.periodSeconds, interval, maxDuration);
        }
        registry = config.registry;
        registrar = config.registrar;
        rewardsCoordinator = config.rewardsCoordinator;
        weth = config.weth;
        periodSeconds = config.periodSeconds;
        _setDistributor(config.distributor);
    }

    /// @inheritdoc IDAFeeDistributor
    function accrue(bytes32 certificateId) external payable {
        if (msg.sender != registry) revert CallerNotRegistry(msg.sender, registry);
        // fee periods are hours to days; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        uint64 period = periodOf(block.timestamp);
        _periods[period].accrued += uint128(msg.value);
        emit FeesAccrued(period, certificateId, msg.value);
    }

    /// @inheritdoc IDAFeeDistributor
    function distribute(
        uint64 period,
        IRewardsCoordinatorTypes.OperatorReward[] calldata rewards
    ) external nonReentrant {
        if (msg.sender != distributor) revert CallerNotDistributor(msg.sender, distributor);
        uint256 start = uint256(period) * periodSeconds;
        // fee periods are hours to days; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp < start + periodSeconds) revert PeriodNotEnded(period, start + periodSeconds);
        PeriodFees storage fees = _periods[period];
        if (fees.distributed) revert PeriodAlreadyDistributed(period);
        uint256 accrued = fees.accrued;
        if (accrued == 0) revert NothingToDistribute(period);

        OperatorSet memory operatorSet = OperatorSet({avs: registrar.avs(), id: registrar.operatorSetId()});
        IAllocationManager allocationManager = registrar.allocationManager();
        uint256 sum = 0;
        for (uint256 i = 0; i < rewards.length; ++i) {
            if (!allocationManager.isMemberOfOperatorSet(rewards[i].operator, operatorSet)) {
                revert NotOperatorSetMember(rewards[i].operator);
            }
            sum += rewards[i].amount;
        }
        if (sum != accrued) revert RewardsSumMismatch(period, sum, accrued);
        fees.distributed = true;
        emit FeesDistributed(period, accrued, rewards.length);

        IRewardsCoordinatorTypes.OperatorDirectedRewardsSubmission[]
            memory submissions = new IRewardsCoordinatorTypes.OperatorDirectedRewardsSubmission[](1);
        submissions[0] = IRewardsCoordinatorTypes.OperatorDirectedRewardsSubmission({
            strategiesAndMultipliers: _strategies(),
            token: weth,
            operatorRewards: rewards,
            startTimestamp: uint32(start),
            duration: periodSeconds,
            description: "vcloud DA: certificate fees to their signers"
        });
        weth.deposit{value: accrued}();
        weth.forceApprove(address(rewardsCoordinator), accrued);
        rewardsCoordinator.createOperatorDirectedOperatorSetRewardsSubmission(operatorSet, submissions);
    }

    /// @inheritdoc IDAFeeDistributor
    function reclaimUndistributable(uint64 period, address payable to) external onlyOwner nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        uint256 start = uint256(period) * periodSeconds;
        uint256 reclaimableAt = start + rewardsCoordinator.MAX_RETROACTIVE_LENGTH() + 1;
        // fee periods are hours to days; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp < reclaimableAt) revert PeriodStillDistributable(period, reclaimableAt);
        PeriodFees storage fees = _periods[period];
        if (fees.distributed) revert PeriodAlreadyDistributed(period);
        uint256 accrued = fees.accrued;
        if (accrued == 0) revert NothingToDistribute(period);
        fees.distributed = true;
        emit FeesReclaimed(period, to, accrued);
        Address.sendValue(to, accrued);
    }

    /// @inheritdoc IDAFeeDistributor
    function setDistributor(address newDistributor) external onlyOwner {
        _setDistributor(newDistributor);
    }

    /// @inheritdoc IDAFeeDistributor
    function periodOf(uint256 timestamp) public view returns (uint64) {
        return uint64(timestamp / periodSeconds);
    }

    /// @inheritdoc IDAFeeDistributor
    function periodFees(uint64 period) external view returns (PeriodFees memory) {
        return _periods[period];
    }

    function _setDistributor(address newDistributor) private {
        if (newDistributor == address(0)) revert ZeroAddress();
        emit DistributorSet(distributor, newDistributor);
        distributor = newDistributor;
    }

    /// @dev The DA set's strategies and weights, ascending by address as the coordinator requires.
    function _strategies() private view returns (IRewardsCoordinatorTypes.StrategyAndMultiplier[] memory out) {
        IBLSAVSRegistrar.StrategyWeight[] memory weights = registrar.strategyWeights();
        out = new IRewardsCoordinatorTypes.StrategyAndMultiplier[](weights.length);
        for (uint256 i = 0; i < weights.length; ++i) {
            IRewardsCoordinatorTypes.StrategyAndMultiplier memory next = IRewardsCoordinatorTypes
                .StrategyAndMultiplier({strategy: weights[i].strategy, multiplier: weights[i].multiplier});
            uint256 j = i;
            while (j > 0 && address(out[j - 1].strategy) > address(next.strategy)) {
                out[j] = out[j - 1];
                --j;
            }
            out[j] = next;
        }
    }
}
