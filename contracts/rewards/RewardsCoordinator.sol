// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IAllocationManager} from "../interfaces/IAllocationManager.sol";
import {IProtocolFee} from "../interfaces/IProtocolFee.sol";
import {IRewardsCoordinator} from "../interfaces/IRewardsCoordinator.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {OperatorSet} from "../libraries/OperatorSetLib.sol";

/// @title RewardsCoordinator
/// @notice Operator-set rewards in the EigenLayer style, reduced to what vcloud needs: AVSs fund
/// stake-weighted or operator-directed rewards; the rewards updater posts Merkle roots of cumulative
/// earnings computed off-chain from unique (allocated) stake; earners claim with proofs. Opted-in
/// submissions pay the protocol fee into the fee jar.
contract RewardsCoordinator is IRewardsCoordinator, Ownable2Step, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The largest amount one submission may fund (as EigenLayer: keeps weighted sums in range).
    uint256 public constant MAX_REWARDS_AMOUNT = 1e38 - 1;
    /// @notice 100% in bips.
    uint16 public constant ONE_HUNDRED_IN_BIPS = 10_000;
    /// @inheritdoc IRewardsCoordinator
    uint16 public constant DEFAULT_OPERATOR_SPLIT_BIPS = 1000;

    /// @inheritdoc IRewardsCoordinator
    IAllocationManager public immutable ALLOCATION_MANAGER;
    /// @inheritdoc IRewardsCoordinator
    IProtocolFee public immutable PROTOCOL_FEE;
    /// @inheritdoc IRewardsCoordinator
    uint32 public immutable CALCULATION_INTERVAL_SECONDS;
    /// @inheritdoc IRewardsCoordinator
    uint32 public immutable MAX_REWARDS_DURATION;
    /// @inheritdoc IRewardsCoordinator
    uint32 public immutable MAX_RETROACTIVE_LENGTH;
    /// @inheritdoc IRewardsCoordinator
    uint32 public immutable MAX_FUTURE_LENGTH;
    /// @inheritdoc IRewardsCoordinator
    uint32 public immutable ACTIVATION_DELAY;
    /// @inheritdoc IRewardsCoordinator
    uint32 public immutable OPERATOR_SPLIT_DELAY;

    /// @inheritdoc IRewardsCoordinator
    address public rewardsUpdater;
    /// @inheritdoc IRewardsCoordinator
    uint32 public currRewardsCalculationEndTimestamp;
    /// @inheritdoc IRewardsCoordinator
    mapping(address submitter => bool) public isOptedInForProtocolFee;
    /// @inheritdoc IRewardsCoordinator
    mapping(address earner => mapping(IERC20 token => uint256)) public cumulativeClaimed;
    /// @inheritdoc IRewardsCoordinator
    mapping(IERC20 token => uint256) public totalFunded;
    /// @inheritdoc IRewardsCoordinator
    mapping(IERC20 token => uint256) public totalClaimed;
    /// @inheritdoc IRewardsCoordinator
    mapping(address earner => address) public claimerFor;
    /// @inheritdoc IRewardsCoordinator
    mapping(address avs => mapping(address submitter => bool)) public isRewardsSubmitter;
    /// @notice Submissions made by each AVS (the nonce of its next submission).
    mapping(address avs => uint256) public submissionNonce;

    DistributionRoot[] internal _distributionRoots;
    mapping(address operator => mapping(bytes32 setKey => OperatorSplit)) internal _operatorSetSplits;

    modifier onlyRewardsUpdater() {
        if (msg.sender != rewardsUpdater) revert CallerNotRewardsUpdater(msg.sender);
        _;
    }

    /// @param governance The owner, who sets the rewards updater.
    /// @param initialRewardsUpdater Who may post roots (the rewards keeper's account).
    /// @param params Core contracts and timing; see `RewardsCoordinatorParams`.
    constructor(
        address governance,
        address initialRewardsUpdater,
        RewardsCoordinatorParams memory params
    ) Ownable(governance) {
        if (address(params.allocationManager) == address(0) || address(params.protocolFee) == address(0)) {
            revert InputAddressZero();
        }
        if (
            params.calculationIntervalSeconds == 0 || params.maxRewardsDuration % params.calculationIntervalSeconds != 0
        ) {
            revert InvalidDuration(
                params.maxRewardsDuration,
                params.maxRewardsDuration,
                params.calculationIntervalSeconds
            );
        }
        ALLOCATION_MANAGER = params.allocationManager;
        PROTOCOL_FEE = params.protocolFee;
        CALCULATION_INTERVAL_SECONDS = params.calculationIntervalSeconds;
        MAX_REWARDS_DURATION = params.maxRewardsDuration;
        MAX_RETROACTIVE_LENGTH = params.maxRetroactiveLength;
        MAX_FUTURE_LENGTH = params.maxFutureLength;
        ACTIVATION_DELAY = params.activationDelay;
        OPERATOR_SPLIT_DELAY = params.operatorSplitDelay;
        _setRewardsUpdater(initialRewardsUpdater);
    }

    // ------------------------------------------------------------------ submissions

    /// @inheritdoc IRewardsCoordinator
    function createOperatorSetRewardsSubmission(
        OperatorSet calldata operatorSet,
        RewardsSubmission[] calldata submissions
    ) external nonReentrant {
        _checkAVS(operatorSet);
        for (uint256 i = 0; i < submissions.length; ++i) {
            RewardsSubmission memory submission = submissions[i];
            if (submission.amount == 0) revert AmountZero();
            if (submission.amount > MAX_REWARDS_AMOUNT) revert AmountTooLarge(submission.amount, MAX_REWARDS_AMOUNT);
            _checkTiming(submission.startTimestamp, submission.duration);
            _checkStrategies(operatorSet, submission.strategiesAndMultipliers);
            submission.token.safeTransferFrom(msg.sender, address(this), submission.amount);
            uint256 fee = _takeFee(submission.token, submission.amount);
            submission.amount -= fee;
            totalFunded[submission.token] += submission.amount;
            uint256 nonce = submissionNonce[msg.sender]++;
            bytes32 submissionHash = keccak256(abi.encode(msg.sender, nonce, submission));
            emit OperatorSetRewardsSubmissionCreated(msg.sender, submissionHash, operatorSet, nonce, submission, fee);
        }
    }

    /// @inheritdoc IRewardsCoordinator
    function createOperatorDirectedOperatorSetRewardsSubmission(
        OperatorSet calldata operatorSet,
        OperatorDirectedRewardsSubmission[] calldata submissions
    ) external nonReentrant {
        _checkAVS(operatorSet);
        for (uint256 i = 0; i < submissions.length; ++i) {
            OperatorDirectedRewardsSubmission memory submission = submissions[i];
            _checkTiming(submission.startTimestamp, submission.duration);
            _checkStrategies(operatorSet, submission.strategiesAndMultipliers);
            uint256 total = _checkOperatorRewards(submission.operatorRewards);
            submission.token.safeTransferFrom(msg.sender, address(this), total);
            uint256 fee = 0;
            for (uint256 j = 0; j < submission.operatorRewards.length; ++j) {
                uint256 operatorFee = _takeFee(submission.token, submission.operatorRewards[j].amount);
                submission.operatorRewards[j].amount -= operatorFee;
                fee += operatorFee;
            }
            totalFunded[submission.token] += total - fee;
            uint256 nonce = submissionNonce[msg.sender]++;
            bytes32 submissionHash = keccak256(abi.encode(msg.sender, nonce, submission));
            emit OperatorDirectedOperatorSetRewardsSubmissionCreated(
                msg.sender,
                submissionHash,
                operatorSet,
                nonce,
                submission,
                fee
            );
        }
    }

    /// @inheritdoc IRewardsCoordinator
    function setRewardsSubmitter(address submitter, bool allowed) external {
        if (submitter == address(0)) revert InputAddressZero();
        isRewardsSubmitter[msg.sender][submitter] = allowed;
        emit RewardsSubmitterSet(msg.sender, submitter, allowed);
    }

    /// @inheritdoc IRewardsCoordinator
    function setOptInForProtocolFee(bool optIn) external {
        isOptedInForProtocolFee[msg.sender] = optIn;
        emit OptInForProtocolFeeSet(msg.sender, optIn);
    }

    // ------------------------------------------------------------------ operator splits

    /// @inheritdoc IRewardsCoordinator
    function setOperatorSetSplit(address operator, OperatorSet calldata operatorSet, uint16 splitBips) external {
        if (msg.sender != operator) revert CallerNotOperator(msg.sender, operator);
        if (!ALLOCATION_MANAGER.isOperatorSet(operatorSet)) revert InvalidOperatorSet(operatorSet.avs, operatorSet.id);
        if (splitBips > ONE_HUNDRED_IN_BIPS) revert SplitTooHigh(splitBips);
        OperatorSplit storage split = _operatorSetSplits[operator][operatorSet.key()];
        // activation delays and retroactive/future bounds span hours to weeks (as in EigenLayer); seconds of leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (split.isSet && block.timestamp < split.activatedAt) revert SplitChangePending(split.activatedAt);
        uint16 current = _splitNow(split);
        // activation delays and retroactive/future bounds span hours to weeks (as in EigenLayer); seconds of leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        uint32 activatedAt = uint32(block.timestamp) + OPERATOR_SPLIT_DELAY;
        split.oldSplitBips = current;
        split.newSplitBips = splitBips;
        split.activatedAt = activatedAt;
        split.isSet = true;
        emit OperatorSetSplitBipsSet(operator, operatorSet, activatedAt, current, splitBips);
    }

    /// @inheritdoc IRewardsCoordinator
    function getOperatorSetSplit(address operator, OperatorSet calldata operatorSet) external view returns (uint16) {
        return _splitNow(_operatorSetSplits[operator][operatorSet.key()]);
    }

    // ------------------------------------------------------------------ roots

    /// @inheritdoc IRewardsCoordinator
    function submitRoot(bytes32 root, uint32 rewardsCalculationEndTimestamp) external onlyRewardsUpdater {
        uint32 currentEnd = currRewardsCalculationEndTimestamp;
        // activation delays and retroactive/future bounds span hours to weeks (as in EigenLayer); seconds of leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (rewardsCalculationEndTimestamp <= currentEnd || rewardsCalculationEndTimestamp >= block.timestamp) {
            // activation delays and retroactive/future bounds span hours to weeks (as in EigenLayer); seconds of leeway cannot matter
            // solhint-disable-next-line not-rely-on-time
            revert InvalidCalculationEnd(rewardsCalculationEndTimestamp, currentEnd, block.timestamp);
        }
        // activation delays and retroactive/future bounds span hours to weeks (as in EigenLayer); seconds of leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        uint32 activatedAt = uint32(block.timestamp) + ACTIVATION_DELAY;
        uint32 rootIndex = uint32(_distributionRoots.length);
        _distributionRoots.push(
            DistributionRoot({
                root: root,
                rewardsCalculationEndTimestamp: rewardsCalculationEndTimestamp,
                activatedAt: activatedAt,
                disabled: false
            })
        );
        currRewardsCalculationEndTimestamp = rewardsCalculationEndTimestamp;
        emit DistributionRootSubmitted(rootIndex, root, rewardsCalculationEndTimestamp, activatedAt);
    }

    /// @inheritdoc IRewardsCoordinator
    function disableRoot(uint32 rootIndex) external onlyRewardsUpdater {
        if (rootIndex >= _distributionRoots.length) revert InvalidRootIndex(rootIndex, _distributionRoots.length);
        DistributionRoot storage root = _distributionRoots[rootIndex];
        // activation delays and retroactive/future bounds span hours to weeks (as in EigenLayer); seconds of leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (root.disabled || block.timestamp >= root.activatedAt) revert RootNotDisableable(rootIndex);
        root.disabled = true;
        emit DistributionRootDisabled(rootIndex);
    }

    /// @inheritdoc IRewardsCoordinator
    function setRewardsUpdater(address newUpdater) external onlyOwner {
        _setRewardsUpdater(newUpdater);
    }

    // ------------------------------------------------------------------ claims

    /// @inheritdoc IRewardsCoordinator
    function setClaimerFor(address claimer) external {
        emit ClaimerForSet(msg.sender, claimerFor[msg.sender], claimer);
        claimerFor[msg.sender] = claimer;
    }

    /// @inheritdoc IRewardsCoordinator
    function processClaim(RewardsMerkleClaim calldata claim, address recipient) external nonReentrant {
        _processClaim(claim, recipient);
    }

    /// @inheritdoc IRewardsCoordinator
    function processClaims(RewardsMerkleClaim[] calldata claims, address recipient) external nonReentrant {
        for (uint256 i = 0; i < claims.length; ++i) {
            _processClaim(claims[i], recipient);
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IRewardsCoordinator
    function getDistributionRootsLength() external view returns (uint256) {
        return _distributionRoots.length;
    }

    /// @inheritdoc IRewardsCoordinator
    function getDistributionRootAtIndex(uint256 index) external view returns (DistributionRoot memory) {
        if (index >= _distributionRoots.length) revert InvalidRootIndex(uint32(index), _distributionRoots.length);
        return _distributionRoots[index];
    }

    /// @inheritdoc IRewardsCoordinator
    function calculateLeaf(address earner, IERC20 token, uint256 cumulativeEarnings) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(earner, token, cumulativeEarnings))));
    }

    // ------------------------------------------------------------------ internals

    function _processClaim(RewardsMerkleClaim calldata claim, address recipient) internal {
        if (recipient == address(0)) revert InputAddressZero();
        if (claim.rootIndex >= _distributionRoots.length) {
            revert InvalidRootIndex(claim.rootIndex, _distributionRoots.length);
        }
        DistributionRoot memory root = _distributionRoots[claim.rootIndex];
        if (root.disabled) revert RootDisabled(claim.rootIndex);
        // activation delays and retroactive/future bounds span hours to weeks (as in EigenLayer); seconds of leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp < root.activatedAt) revert RootNotActivated(claim.rootIndex, root.activatedAt);
        if (msg.sender != claim.earner && msg.sender != claimerFor[claim.earner]) {
            revert UnauthorizedClaimer(msg.sender, claim.earner);
        }
        bytes32 leaf = calculateLeaf(claim.earner, claim.token, claim.cumulativeEarnings);
        if (!MerkleProof.verifyCalldata(claim.proof, root.root, leaf)) {
            revert InvalidClaimProof(claim.earner, address(claim.token), claim.cumulativeEarnings);
        }
        uint256 claimed = cumulativeClaimed[claim.earner][claim.token];
        if (claim.cumulativeEarnings <= claimed) {
            revert EarningsNotGreaterThanClaimed(claim.earner, address(claim.token), claim.cumulativeEarnings, claimed);
        }
        uint256 amount = claim.cumulativeEarnings - claimed;
        uint256 available = totalFunded[claim.token] - totalClaimed[claim.token];
        if (amount > available) revert ClaimExceedsFunded(address(claim.token), amount, available);
        cumulativeClaimed[claim.earner][claim.token] = claim.cumulativeEarnings;
        totalClaimed[claim.token] += amount;
        emit RewardsClaimed(root.root, claim.earner, msg.sender, recipient, claim.token, amount);
        claim.token.safeTransfer(recipient, amount);
    }

    /// @dev Sends the protocol fee on `amount` (held by this contract) to the jar when the caller opted in.
    function _takeFee(IERC20 token, uint256 amount) internal returns (uint256 fee) {
        if (!isOptedInForProtocolFee[msg.sender]) return 0;
        fee = PROTOCOL_FEE.feeOf(amount);
        if (fee == 0) return 0;
        token.forceApprove(address(PROTOCOL_FEE), fee);
        PROTOCOL_FEE.collectFee(address(token), amount);
    }

    function _checkAVS(OperatorSet calldata operatorSet) internal view {
        if (msg.sender != operatorSet.avs && !isRewardsSubmitter[operatorSet.avs][msg.sender])
            revert CallerNotAVS(msg.sender, operatorSet.avs);
        if (!ALLOCATION_MANAGER.isOperatorSet(operatorSet)) revert InvalidOperatorSet(operatorSet.avs, operatorSet.id);
    }

    function _checkTiming(uint32 startTimestamp, uint32 duration) internal view {
        uint32 interval = CALCULATION_INTERVAL_SECONDS;
        if (duration == 0 || duration > MAX_REWARDS_DURATION || duration % interval != 0) {
            revert InvalidDuration(duration, MAX_REWARDS_DURATION, interval);
        }
        if (startTimestamp % interval != 0) revert StartNotAligned(startTimestamp, interval);
        // activation delays and retroactive/future bounds span hours to weeks (as in EigenLayer); seconds of leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        uint256 earliest = block.timestamp > MAX_RETROACTIVE_LENGTH ? block.timestamp - MAX_RETROACTIVE_LENGTH : 0;
        // activation delays and retroactive/future bounds span hours to weeks (as in EigenLayer); seconds of leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        uint256 latest = block.timestamp + MAX_FUTURE_LENGTH;
        if (startTimestamp < earliest || startTimestamp > latest)
            revert StartOutOfRange(startTimestamp, earliest, latest);
    }

    function _checkStrategies(
        OperatorSet calldata operatorSet,
        StrategyAndMultiplier[] memory strategiesAndMultipliers
    ) internal view {
        if (strategiesAndMultipliers.length == 0) revert NoStrategies();
        IStrategy[] memory inSet = ALLOCATION_MANAGER.getStrategiesInOperatorSet(operatorSet);
        address previous = address(0);
        for (uint256 i = 0; i < strategiesAndMultipliers.length; ++i) {
            address strategy = address(strategiesAndMultipliers[i].strategy);
            if (strategy <= previous) revert StrategiesNotAscending(previous, strategy);
            if (strategiesAndMultipliers[i].multiplier == 0) revert MultiplierZero(strategy);
            bool found = false;
            for (uint256 j = 0; j < inSet.length && !found; ++j) found = address(inSet[j]) == strategy;
            if (!found) revert StrategyNotInOperatorSet(strategy);
            previous = strategy;
        }
    }

    function _checkOperatorRewards(OperatorReward[] memory operatorRewards) internal pure returns (uint256 total) {
        if (operatorRewards.length == 0) revert NoOperatorRewards();
        address previous = address(0);
        for (uint256 i = 0; i < operatorRewards.length; ++i) {
            address operator = operatorRewards[i].operator;
            if (operator <= previous) revert OperatorsNotAscending(previous, operator);
            if (operatorRewards[i].amount == 0) revert AmountZero();
            total += operatorRewards[i].amount;
            previous = operator;
        }
        if (total > MAX_REWARDS_AMOUNT) revert AmountTooLarge(total, MAX_REWARDS_AMOUNT);
    }

    function _splitNow(OperatorSplit memory split) internal view returns (uint16) {
        if (!split.isSet) return DEFAULT_OPERATOR_SPLIT_BIPS;
        // activation delays and retroactive/future bounds span hours to weeks (as in EigenLayer); seconds of leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        return block.timestamp < split.activatedAt ? split.oldSplitBips : split.newSplitBips;
    }

    function _setRewardsUpdater(address newUpdater) internal {
        if (newUpdater == address(0)) revert InputAddressZero();
        emit RewardsUpdaterSet(rewardsUpdater, newUpdater);
        rewardsUpdater = newUpdater;
    }
}
