// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IAllocationManager} from "./IAllocationManager.sol";
import {IProtocolFee} from "./IProtocolFee.sol";
import {IStrategy} from "./IStrategy.sol";
import {OperatorSet} from "../libraries/OperatorSetLib.sol";

/// @title IRewardsCoordinatorTypes
interface IRewardsCoordinatorTypes {
    /// @notice A strategy and its weight in a submission (WAD-scaled: 1e18 counts one share as one unit).
    struct StrategyAndMultiplier {
        IStrategy strategy;
        uint96 multiplier;
    }

    /// @notice Rewards for an operator set, paid out over [startTimestamp, startTimestamp + duration) to the
    /// set's operators and their stakers in proportion to their unique (allocated) stake, weighted by
    /// strategy multipliers.
    struct RewardsSubmission {
        StrategyAndMultiplier[] strategiesAndMultipliers;
        IERC20 token;
        uint256 amount;
        uint32 startTimestamp;
        uint32 duration;
    }

    /// @notice An amount for one operator (which shares it with its stakers after its split).
    struct OperatorReward {
        address operator;
        uint256 amount;
    }

    /// @notice Rewards the AVS assigns per operator, paid over [startTimestamp, startTimestamp + duration).
    struct OperatorDirectedRewardsSubmission {
        StrategyAndMultiplier[] strategiesAndMultipliers;
        IERC20 token;
        OperatorReward[] operatorRewards;
        uint32 startTimestamp;
        uint32 duration;
        string description;
    }

    /// @notice A Merkle root of cumulative earnings, claimable from `activatedAt`.
    struct DistributionRoot {
        bytes32 root;
        uint32 rewardsCalculationEndTimestamp;
        uint32 activatedAt;
        bool disabled;
    }

    /// @notice An operator's split of a set's rewards: `oldSplitBips` before `activatedAt`, then `newSplitBips`.
    struct OperatorSplit {
        uint16 oldSplitBips;
        uint16 newSplitBips;
        uint32 activatedAt;
        bool isSet;
    }

    /// @notice Constructor parameters (all durations in seconds).
    struct RewardsCoordinatorParams {
        IAllocationManager allocationManager;
        IProtocolFee protocolFee;
        uint32 calculationIntervalSeconds;
        uint32 maxRewardsDuration;
        uint32 maxRetroactiveLength;
        uint32 maxFutureLength;
        uint32 activationDelay;
        uint32 operatorSplitDelay;
    }

    /// @notice A claim of `cumulativeEarnings` of `token` by `earner`, proved against root `rootIndex`.
    /// Leaf (OpenZeppelin StandardMerkleTree): keccak256(bytes.concat(keccak256(abi.encode(earner, token,
    /// cumulativeEarnings)))).
    struct RewardsMerkleClaim {
        uint32 rootIndex;
        address earner;
        IERC20 token;
        uint256 cumulativeEarnings;
        bytes32[] proof;
    }
}

/// @title IRewardsCoordinatorErrors
interface IRewardsCoordinatorErrors {
    /// @notice Thrown when the caller is not the AVS that owns `operatorSet`.
    error CallerNotAVS(address caller, address avs);
    /// @notice Thrown when the operator set does not exist in the AllocationManager.
    error InvalidOperatorSet(address avs, uint32 id);
    /// @notice Thrown when a submission's amount (or an operator reward) is zero.
    error AmountZero();
    /// @notice Thrown when a submission's amount exceeds `MAX_REWARDS_AMOUNT`.
    error AmountTooLarge(uint256 amount, uint256 max);
    /// @notice Thrown when a duration is zero, above the maximum, or not a multiple of the interval.
    error InvalidDuration(uint32 duration, uint32 maxDuration, uint32 interval);
    /// @notice Thrown when a start timestamp is not a multiple of the interval.
    error StartNotAligned(uint32 startTimestamp, uint32 interval);
    /// @notice Thrown when a submission starts before the retroactive window or after the future window.
    error StartOutOfRange(uint32 startTimestamp, uint256 earliest, uint256 latest);
    /// @notice Thrown when a submission lists no strategy.
    error NoStrategies();
    /// @notice Thrown when strategies are not strictly ascending (sorted, no duplicates).
    error StrategiesNotAscending(address previous, address next);
    /// @notice Thrown when a multiplier is zero.
    error MultiplierZero(address strategy);
    /// @notice Thrown when a strategy is not in the operator set.
    error StrategyNotInOperatorSet(address strategy);
    /// @notice Thrown when an operator-directed submission lists no operator.
    error NoOperatorRewards();
    /// @notice Thrown when operators are not strictly ascending.
    error OperatorsNotAscending(address previous, address next);
    /// @notice Thrown when a split is above 10_000 bips.
    error SplitTooHigh(uint16 splitBips);
    /// @notice Thrown when the caller is not the operator whose split it changes.
    error CallerNotOperator(address caller, address operator);
    /// @notice Thrown when an operator changes a split while an earlier change is still pending.
    error SplitChangePending(uint32 activatedAt);
    /// @notice Thrown when the caller is not the rewards updater.
    error CallerNotRewardsUpdater(address caller);
    /// @notice Thrown when a root does not advance the calculation end timestamp, or ends in the future.
    error InvalidCalculationEnd(uint32 endTimestamp, uint32 currentEnd, uint256 now_);
    /// @notice Thrown when a root index does not exist.
    error InvalidRootIndex(uint32 rootIndex, uint256 length);
    /// @notice Thrown when disabling a root that is already active or disabled.
    error RootNotDisableable(uint32 rootIndex);
    /// @notice Thrown when claiming against a disabled root.
    error RootDisabled(uint32 rootIndex);
    /// @notice Thrown when claiming against a root before it activates.
    error RootNotActivated(uint32 rootIndex, uint32 activatedAt);
    /// @notice Thrown when the caller is neither the earner nor the earner's claimer.
    error UnauthorizedClaimer(address caller, address earner);
    /// @notice Thrown when the Merkle proof does not prove the claim's leaf.
    error InvalidClaimProof(address earner, address token, uint256 cumulativeEarnings);
    /// @notice Thrown when the cumulative earnings are not above what the earner already claimed.
    error EarningsNotGreaterThanClaimed(address earner, address token, uint256 cumulativeEarnings, uint256 claimed);
    /// @notice Thrown when a claim would pay out more of `token` than was ever funded (a bad root).
    error ClaimExceedsFunded(address token, uint256 requested, uint256 available);
    /// @notice Thrown when an address argument is zero.
    error InputAddressZero();
}

/// @title IRewardsCoordinatorEvents
interface IRewardsCoordinatorEvents is IRewardsCoordinatorTypes {
    /// @notice An AVS funded stake-weighted rewards for `operatorSet`; `submission.amount` is net of the
    /// protocol fee (`fee`).
    event OperatorSetRewardsSubmissionCreated(
        address indexed avs,
        bytes32 indexed submissionHash,
        OperatorSet operatorSet,
        uint256 submissionNonce,
        RewardsSubmission submission,
        uint256 fee
    );
    /// @notice An AVS funded operator-directed rewards; each operator amount is net of the protocol fee.
    event OperatorDirectedOperatorSetRewardsSubmissionCreated(
        address indexed avs,
        bytes32 indexed submissionHash,
        OperatorSet operatorSet,
        uint256 submissionNonce,
        OperatorDirectedRewardsSubmission submission,
        uint256 fee
    );
    /// @notice `avs` allowed (or stopped) `submitter` to fund rewards for its operator sets.
    event RewardsSubmitterSet(address indexed avs, address indexed submitter, bool allowed);
    /// @notice `submitter` opted in (or out) of paying the protocol fee.
    event OptInForProtocolFeeSet(address indexed submitter, bool optIn);
    /// @notice `operator`'s split for `operatorSet` becomes `newSplitBips` at `activatedAt`.
    event OperatorSetSplitBipsSet(
        address indexed operator,
        OperatorSet operatorSet,
        uint32 activatedAt,
        uint16 oldSplitBips,
        uint16 newSplitBips
    );
    /// @notice The rewards updater changed.
    event RewardsUpdaterSet(address indexed previousUpdater, address indexed newUpdater);
    /// @notice A root was posted.
    event DistributionRootSubmitted(
        uint32 indexed rootIndex,
        bytes32 indexed root,
        uint32 rewardsCalculationEndTimestamp,
        uint32 activatedAt
    );
    /// @notice A root was disabled before activation.
    event DistributionRootDisabled(uint32 indexed rootIndex);
    /// @notice `earner` let `claimer` claim on its behalf.
    event ClaimerForSet(address indexed earner, address indexed previousClaimer, address indexed claimer);
    /// @notice `earner`'s rewards were claimed by `claimer` and paid to `recipient`.
    event RewardsClaimed(
        bytes32 root,
        address indexed earner,
        address indexed claimer,
        address indexed recipient,
        IERC20 token,
        uint256 claimedAmount
    );
}

/// @title IRewardsCoordinator
/// @notice Pays operators and stakers for the stake they allocate to operator sets. AVSs fund rewards
/// on-chain; an off-chain rewards updater (the `rewards` keeper) computes each earner's cumulative earnings
/// per calculation interval from on-chain stake history and posts a Merkle root; earners claim with proofs.
/// Cumulative leaves make a second claim of the same earnings impossible, and no token can be paid out
/// beyond what was funded in it, whatever root is posted.
interface IRewardsCoordinator is IRewardsCoordinatorErrors, IRewardsCoordinatorEvents {
    /// @notice Lets `submitter` (a contract of the AVS, e.g. the DA fee distributor) fund rewards for the
    /// caller's operator sets as if it were the AVS, or stops it. The caller is the AVS. In EigenLayer the
    /// PermissionController's appointees play this part.
    function setRewardsSubmitter(address submitter, bool allowed) external;

    /// @notice Whether `submitter` may fund rewards for `avs`'s operator sets (besides `avs` itself).
    function isRewardsSubmitter(address avs, address submitter) external view returns (bool);

    /// @notice Funds stake-weighted rewards for `operatorSet` (caller must be its AVS or a submitter it appointed). Pulls each
    /// submission's amount; if the caller opted in, the protocol fee goes to the fee jar.
    function createOperatorSetRewardsSubmission(
        OperatorSet calldata operatorSet,
        RewardsSubmission[] calldata submissions
    ) external;

    /// @notice Funds operator-directed rewards for `operatorSet` (caller must be its AVS or a submitter it appointed); operators
    /// strictly ascending. The protocol fee (if opted in) is taken from each operator's amount.
    function createOperatorDirectedOperatorSetRewardsSubmission(
        OperatorSet calldata operatorSet,
        OperatorDirectedRewardsSubmission[] calldata submissions
    ) external;

    /// @notice Opts the caller in (or out) of paying the protocol fee on its submissions.
    function setOptInForProtocolFee(bool optIn) external;

    /// @notice Sets `operator`'s share of `operatorSet`'s rewards, effective after the split delay. Only the
    /// operator; one pending change at a time.
    function setOperatorSetSplit(address operator, OperatorSet calldata operatorSet, uint16 splitBips) external;

    /// @notice Posts a root of cumulative earnings up to `rewardsCalculationEndTimestamp`. Only the rewards
    /// updater; the end must advance and be in the past.
    function submitRoot(bytes32 root, uint32 rewardsCalculationEndTimestamp) external;

    /// @notice Disables a root before it activates. Only the rewards updater.
    function disableRoot(uint32 rootIndex) external;

    /// @notice Sets the rewards updater. Only governance (owner).
    function setRewardsUpdater(address newUpdater) external;

    /// @notice Lets `claimer` claim the caller's rewards (to any recipient). Zero revokes.
    function setClaimerFor(address claimer) external;

    /// @notice Claims the part of `claim.cumulativeEarnings` not yet claimed and sends it to `recipient`.
    /// Caller: the earner or its claimer.
    function processClaim(RewardsMerkleClaim calldata claim, address recipient) external;

    /// @notice `processClaim` for several claims.
    function processClaims(RewardsMerkleClaim[] calldata claims, address recipient) external;

    /// @notice The AllocationManager whose operator sets are rewarded.
    function ALLOCATION_MANAGER() external view returns (IAllocationManager);

    /// @notice The protocol fee contract (rate and jar).
    function PROTOCOL_FEE() external view returns (IProtocolFee);

    /// @notice The length of a rewards period in seconds; starts and durations are multiples of it.
    function CALCULATION_INTERVAL_SECONDS() external view returns (uint32);

    /// @notice The longest submission duration.
    function MAX_REWARDS_DURATION() external view returns (uint32);

    /// @notice How far back a submission may start.
    function MAX_RETROACTIVE_LENGTH() external view returns (uint32);

    /// @notice How far ahead a submission may start.
    function MAX_FUTURE_LENGTH() external view returns (uint32);

    /// @notice Seconds between posting a root and claims against it.
    function ACTIVATION_DELAY() external view returns (uint32);

    /// @notice Seconds before an operator's new split applies.
    function OPERATOR_SPLIT_DELAY() external view returns (uint32);

    /// @notice The split every operator has until it sets one (1000 = 10%).
    function DEFAULT_OPERATOR_SPLIT_BIPS() external view returns (uint16);

    /// @notice Who may post roots.
    function rewardsUpdater() external view returns (address);

    /// @notice Whether `submitter` pays the protocol fee.
    function isOptedInForProtocolFee(address submitter) external view returns (bool);

    /// @notice `operator`'s split for `operatorSet` now, in bips.
    function getOperatorSetSplit(address operator, OperatorSet calldata operatorSet) external view returns (uint16);

    /// @notice The number of roots posted.
    function getDistributionRootsLength() external view returns (uint256);

    /// @notice Root `index`.
    function getDistributionRootAtIndex(uint256 index) external view returns (DistributionRoot memory);

    /// @notice The calculation end timestamp of the latest root.
    function currRewardsCalculationEndTimestamp() external view returns (uint32);

    /// @notice What `earner` has claimed of `token` so far.
    function cumulativeClaimed(address earner, IERC20 token) external view returns (uint256);

    /// @notice Net amount of `token` funded by submissions.
    function totalFunded(IERC20 token) external view returns (uint256);

    /// @notice Amount of `token` paid out by claims.
    function totalClaimed(IERC20 token) external view returns (uint256);

    /// @notice Who may claim for `earner` besides itself.
    function claimerFor(address earner) external view returns (address);

    /// @notice The Merkle leaf of a claim (OpenZeppelin StandardMerkleTree, types address,address,uint256).
    function calculateLeaf(address earner, IERC20 token, uint256 cumulativeEarnings) external pure returns (bytes32);
}
