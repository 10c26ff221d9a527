// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable2Step, Ownable} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IAllocationManager, IAllocationManagerTypes} from "../interfaces/IAllocationManager.sol";
import {IAppRegistry} from "../interfaces/IAppRegistry.sol";
import {IBLSAVSRegistrar} from "../interfaces/IBLSAVSRegistrar.sol";
import {IBLSSignatureChecker} from "../interfaces/IBLSSignatureChecker.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {ITaskMailbox} from "../interfaces/ITaskMailbox.sol";

/// @title TaskMailbox
/// @notice TEE compute tasks: creation with a fee and SLA, results certified by the executor operator
/// set's stake-weighted BLS certificate, fee split on success, refund on expiry, and slashing of an
/// executor that accepted a task and let it expire or signed a wrong output (this contract is the compute
/// set's slasher). It is also the TEE verification source of the ERC-8004 bridge (`VcloudValidator`).
contract TaskMailbox is ITaskMailbox, Ownable2Step, ReentrancyGuard, EIP712 {
    uint256 internal constant BPS = 10_000;
    bytes32 internal constant EXECUTOR_CLAIM_TYPEHASH = keccak256(
        "ExecutorClaim(bytes32 taskHash,bytes32 outputHash,bytes32 attestationHash,bytes32 outputCertificateId)"
    );

    /// @dev A claimed result proven wrong: its task and when.
    struct RefutedClaim {
        bytes32 taskHash;
        uint64 refutedAt;
    }

    /// @inheritdoc ITaskMailbox
    IBLSAVSRegistrar public immutable registrar;
    /// @inheritdoc ITaskMailbox
    IAppRegistry public immutable appRegistry;
    /// @notice Longest SLA a task may ask for (keep it within the set's deallocation delay, so an
    /// executor stays slashable until the task expires).
    uint64 public immutable maxTaskSla;
    /// @notice Oldest reference block accepted for a certificate, in blocks before the submitting block.
    uint32 public immutable maxReferenceAge;
    /// @notice Fraction (WAD) of the executor's allocation slashed for a missed SLA.
    uint256 public immutable missedSlaSlashWad;
    /// @notice Fraction (WAD) of the executor's allocation slashed for signing a wrong output.
    uint256 public immutable wrongResultSlashWad;

    /// @notice Share of the set's stake (bps) that must sign a result.
    uint16 public thresholdBps;
    /// @notice Share of each fee (bps) sent to the fee jar; the rest accrues to `operatorFees`.
    uint16 public protocolFeeBps;
    /// @notice Where the protocol share goes.
    address public feeJar;
    /// @notice Smallest fee a task may pay (wei).
    uint96 public minTaskFee;
    /// @notice Fees owed to the executor operators, withdrawn by governance into rewards.
    uint256 public operatorFees;
    /// @notice Number of tasks created; part of each task hash.
    uint256 public taskCount;
    /// @inheritdoc ITaskMailbox
    uint64 public executionTimeout;

    mapping(bytes32 taskHash => Task) private _tasks;
    mapping(bytes32 taskHash => mapping(address operator => bool)) private _slashedForWrongResult;
    mapping(bytes32 claimHash => RefutedClaim) private _refutedClaims;
    mapping(bytes32 taskHash => uint64 deadline) private _executionDeadlines;
    mapping(bytes32 taskHash => mapping(address operator => bool)) private _reassignedFrom;

    constructor(Config memory config) Ownable(config.governance) EIP712("vcloud TaskMailbox", "1") {
        if (config.missedSlaSlashWad == 0 || config.missedSlaSlashWad > 1e18) {
            revert InvalidSlashWad(config.missedSlaSlashWad);
        }
        if (config.wrongResultSlashWad == 0 || config.wrongResultSlashWad > 1e18) {
            revert InvalidSlashWad(config.wrongResultSlashWad);
        }
        wrongResultSlashWad = config.wrongResultSlashWad;
        registrar = config.registrar;
        appRegistry = config.appRegistry;
        maxTaskSla = config.maxTaskSla;
        maxReferenceAge = config.maxReferenceAge;
        missedSlaSlashWad = config.missedSlaSlashWad;
        _setThreshold(config.thresholdBps);
        _setFees(config.protocolFeeBps, config.feeJar, config.minTaskFee);
    }

    // Tasks -------------------------------------------------------------------------------------------

    /// @inheritdoc ITaskMailbox
    function createTask(TaskParams calldata params) external payable returns (bytes32 taskHash) {
        if (params.sla == 0 || params.sla > maxTaskSla) revert InvalidTaskSla(params.sla, maxTaskSla);
        if (params.inputHash == bytes32(0)) revert ZeroInputHash();
        if (msg.value < minTaskFee) revert InsufficientFee(msg.value, minTaskFee);
        if (msg.value > type(uint96).max) revert FeeTooLarge(msg.value);
        if (!appRegistry.isRegistered(params.appId)) revert UnknownApp(params.appId);
        IAppRegistry.App memory app = appRegistry.getApp(params.appId);

        taskHash = keccak256(abi.encode(taskCount++, address(this), block.chainid, params));
        Task storage task = _tasks[taskHash];
        task.creator = msg.sender;
        // task SLA deadlines are minutes to hours; seconds of proposer leeway cannot flip them
        // solhint-disable-next-line not-rely-on-time
        task.creationTime = uint64(block.timestamp);
        task.sla = params.sla;
        task.refundCollector = params.refundCollector == address(0) ? msg.sender : params.refundCollector;
        task.fee = uint96(msg.value);
        task.status = TaskStatus.CREATED;
        task.appId = params.appId;
        task.imageDigest = app.imageDigest;
        task.measurementsHash = app.measurementsHash;
        task.inputHash = params.inputHash;
        task.inputCertificateId = params.inputCertificateId;
        emit TaskCreated(
            msg.sender,
            taskHash,
            params.appId,
            app.imageDigest,
            params.inputHash,
            params.inputCertificateId,
            uint96(msg.value),
            // task SLA deadlines are minutes to hours; seconds of proposer leeway cannot flip them
            // solhint-disable-next-line not-rely-on-time
            block.timestamp + params.sla
        );
    }

    /// @inheritdoc ITaskMailbox
    function acceptTask(bytes32 taskHash) external {
        _requireStatus(taskHash, TaskStatus.CREATED);
        if (!registrar.apkRegistry().isMember(msg.sender)) revert NotExecutorOperator(msg.sender);
        if (_reassignedFrom[taskHash][msg.sender]) revert ExecutorWasReassigned(taskHash, msg.sender);
        Task storage task = _tasks[taskHash];
        if (task.executor != address(0)) revert TaskAlreadyAccepted(taskHash, task.executor);
        task.executor = msg.sender;
        // task SLA deadlines are minutes to hours; seconds of proposer leeway cannot flip them
        // solhint-disable-next-line not-rely-on-time
        uint64 acceptedAt = uint64(block.timestamp);
        task.acceptedAt = acceptedAt;
        uint256 expiry = uint256(task.creationTime) + task.sla;
        uint256 timeout = executionTimeout;
        // capped by the expiry (itself a uint64 sum), so the narrowing cannot truncate
        _executionDeadlines[taskHash] = uint64(
            timeout == 0 || acceptedAt + timeout > expiry ? expiry : acceptedAt + timeout
        );
        emit TaskAccepted(taskHash, msg.sender);
    }

    /// @inheritdoc ITaskMailbox
    function reassignTask(bytes32 taskHash) external nonReentrant returns (uint256 slashId) {
        _requireStatus(taskHash, TaskStatus.CREATED);
        Task storage task = _tasks[taskHash];
        address operator = task.executor;
        if (operator == address(0)) revert TaskNotAccepted(taskHash);
        uint256 deadline = _executionDeadlines[taskHash];
        // execution deadlines are minutes to hours; seconds of proposer leeway cannot flip them
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp <= deadline) revert ExecutionDeadlineNotPassed(taskHash, deadline, block.timestamp);
        _reassignedFrom[taskHash][operator] = true;
        task.executor = address(0);
        task.acceptedAt = 0;
        delete _executionDeadlines[taskHash];

        slashId = _slash(operator, missedSlaSlashWad, "vcloud compute: accepted a task and missed its deadline");
        emit ExecutorSlashedForMissedSla(taskHash, operator, slashId);
        emit TaskReassigned(taskHash, operator, deadline, slashId);
    }

    /// @inheritdoc ITaskMailbox
    function submitResult(
        bytes32 taskHash,
        TaskResult calldata result,
        uint32 referenceBlock,
        IBLSSignatureChecker.NonSignerStakesAndSignature calldata signature
    ) external nonReentrant {
        _requireStatus(taskHash, TaskStatus.CREATED);
        if (result.outputHash == bytes32(0) || result.attestationHash == bytes32(0)) revert IncompleteResult();
        if (referenceBlock + uint256(maxReferenceAge) < block.number) {
            revert StaleReferenceBlock(referenceBlock, block.number);
        }
        (IBLSSignatureChecker.StakeTotals memory totals, bytes32 record) = registrar.signatureChecker().checkSignatures(
            getMessageHash(taskHash, result),
            referenceBlock,
            signature
        );
        if (totals.signedStake * BPS < totals.totalStake * thresholdBps) {
            revert InsufficientSignedStake(totals.signedStake, totals.totalStake, thresholdBps);
        }

        Task storage task = _tasks[taskHash];
        task.status = TaskStatus.VERIFIED;
        task.referenceBlock = referenceBlock;
        task.signedStake = uint128(totals.signedStake);
        task.totalStake = uint128(totals.totalStake);
        task.signatoryRecordHash = record;
        // task SLA deadlines are minutes to hours; seconds of proposer leeway cannot flip them
        // solhint-disable-next-line not-rely-on-time
        task.verifiedAt = uint64(block.timestamp);
        task.result = result;
        uint256 fee = task.fee;
        uint256 protocolShare = (fee * protocolFeeBps) / BPS;
        operatorFees += fee - protocolShare;
        emit TaskVerified(msg.sender, taskHash, result, referenceBlock, totals.signedStake, totals.totalStake);

        if (protocolShare != 0) Address.sendValue(payable(feeJar), protocolShare);
    }

    /// @inheritdoc ITaskMailbox
    function refundFee(bytes32 taskHash) external nonReentrant {
        _requireStatus(taskHash, TaskStatus.EXPIRED);
        Task storage task = _tasks[taskHash];
        if (task.feeRefunded) revert FeeAlreadyRefunded(taskHash);
        task.feeRefunded = true;
        address collector = task.refundCollector;
        uint96 fee = task.fee;
        emit FeeRefunded(collector, taskHash, fee);
        Address.sendValue(payable(collector), fee);
    }

    /// @inheritdoc ITaskMailbox
    function slashForMissedSla(bytes32 taskHash, address operator) external nonReentrant returns (uint256 slashId) {
        _requireStatus(taskHash, TaskStatus.EXPIRED);
        Task storage task = _tasks[taskHash];
        if (operator == address(0) || task.executor != operator) {
            revert NotTaskExecutor(taskHash, operator, task.executor);
        }
        if (task.executorSlashed) revert ExecutorAlreadySlashed(taskHash);
        task.executorSlashed = true;

        slashId = _slash(operator, missedSlaSlashWad, "vcloud compute: accepted a task and missed its SLA");
        emit ExecutorSlashedForMissedSla(taskHash, operator, slashId);
    }

    /// @inheritdoc ITaskMailbox
    function slashForWrongResult(
        bytes32 taskHash,
        address operator,
        TaskResult calldata claimed,
        bytes calldata signature
    ) external nonReentrant returns (uint256 slashId) {
        _requireStatus(taskHash, TaskStatus.VERIFIED);
        if (claimed.outputHash == bytes32(0)) revert IncompleteResult();
        Task storage task = _tasks[taskHash];
        if (claimed.outputHash == task.result.outputHash)
            revert ClaimMatchesVerifiedOutput(taskHash, claimed.outputHash);
        if (!SignatureChecker.isValidSignatureNow(operator, getClaimDigest(taskHash, claimed), signature)) {
            revert InvalidClaimSignature(taskHash, operator);
        }
        if (!registrar.apkRegistry().isMember(operator)) revert NotExecutorOperator(operator);
        if (_slashedForWrongResult[taskHash][operator]) revert WrongResultAlreadySlashed(taskHash, operator);
        _slashedForWrongResult[taskHash][operator] = true;
        bytes32 claimHash = getMessageHash(taskHash, claimed);
        // task SLA deadlines are minutes to hours; seconds of proposer leeway cannot flip them
        // solhint-disable-next-line not-rely-on-time
        _refutedClaims[claimHash] = RefutedClaim({taskHash: taskHash, refutedAt: uint64(block.timestamp)});

        slashId = _slash(operator, wrongResultSlashWad, "vcloud compute: signed an output that re-execution refuted");
        emit ExecutorSlashedForWrongResult(taskHash, operator, claimHash, claimed.outputHash, slashId);
    }

    // Views -------------------------------------------------------------------------------------------

    /// @inheritdoc ITaskMailbox
    function getTask(bytes32 taskHash) external view returns (Task memory) {
        return _tasks[taskHash];
    }

    /// @inheritdoc ITaskMailbox
    function getExecutionDeadline(bytes32 taskHash) external view returns (uint256) {
        return _executionDeadlines[taskHash];
    }

    /// @inheritdoc ITaskMailbox
    function wasReassigned(bytes32 taskHash, address operator) external view returns (bool) {
        return _reassignedFrom[taskHash][operator];
    }

    /// @inheritdoc ITaskMailbox
    function getTaskStatus(bytes32 taskHash) public view returns (TaskStatus) {
        Task storage task = _tasks[taskHash];
        TaskStatus status = task.status;
        // task SLA deadlines are minutes to hours; seconds of proposer leeway cannot flip them
        // solhint-disable-next-line not-rely-on-time
        if (status == TaskStatus.CREATED && block.timestamp > uint256(task.creationTime) + task.sla) {
            return TaskStatus.EXPIRED;
        }
        return status;
    }

    /// @inheritdoc ITaskMailbox
    function getTaskResult(bytes32 taskHash) external view returns (TaskResult memory) {
        _requireStatus(taskHash, TaskStatus.VERIFIED);
        return _tasks[taskHash].result;
    }

    /// @inheritdoc ITaskMailbox
    function getMessageHash(bytes32 taskHash, TaskResult calldata result) public pure returns (bytes32) {
        return keccak256(abi.encode(taskHash, result));
    }

    /// @inheritdoc ITaskMailbox
    function getClaimDigest(bytes32 taskHash, TaskResult calldata claimed) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        EXECUTOR_CLAIM_TYPEHASH,
                        taskHash,
                        claimed.outputHash,
                        claimed.attestationHash,
                        claimed.outputCertificateId
                    )
                )
            );
    }

    /// @notice What the mailbox says about `subject` to the ERC-8004 bridge. A task hash: Pending while
    /// CREATED, Verified once its result is certified (resultHash = the certified message hash), Refuted
    /// if it expired without one (nothing was delivered). A claim hash (`getMessageHash(taskHash, claimed)`)
    /// whose executor was slashed by `slashForWrongResult`: Refuted. Anything else: None.
    function verificationOutcome(bytes32 subject) external view returns (VerificationOutcome memory outcome) {
        Task storage task = _tasks[subject];
        bytes32 taskHash = subject;
        if (task.status == TaskStatus.NONE) {
            RefutedClaim storage claim = _refutedClaims[subject];
            if (claim.taskHash == bytes32(0)) return outcome;
            taskHash = claim.taskHash;
            task = _tasks[taskHash];
            outcome.status = VerificationStatus.Refuted;
            outcome.resultHash = subject;
            outcome.decidedAt = claim.refutedAt;
        } else {
            TaskStatus status = getTaskStatus(subject);
            if (status == TaskStatus.CREATED) {
                outcome.status = VerificationStatus.Pending;
            } else if (status == TaskStatus.VERIFIED) {
                outcome.status = VerificationStatus.Verified;
                outcome.resultHash = keccak256(abi.encode(subject, task.result));
                outcome.decidedAt = task.verifiedAt;
            } else {
                outcome.status = VerificationStatus.Refuted;
                outcome.decidedAt = task.creationTime + task.sla + 1;
            }
        }
        outcome.requester = task.creator;
        outcome.operatorSet = OperatorSet({avs: registrar.avs(), id: registrar.operatorSetId()});
    }

    // Governance --------------------------------------------------------------------------------------

    /// @notice Sets the share of stake (bps) that must sign a result. Only governance.
    function setThreshold(uint16 bps) external onlyOwner {
        _setThreshold(bps);
    }

    /// @notice Sets the seconds an executor has from accepting a task to get its result certified before
    /// `reassignTask` may take the task (0: until the task expires); at most `maxTaskSla`. Applies to
    /// acceptances after the call. Only governance.
    function setExecutionTimeout(uint64 timeout) external onlyOwner {
        if (timeout > maxTaskSla) revert InvalidExecutionTimeout(timeout, maxTaskSla);
        executionTimeout = timeout;
        emit ExecutionTimeoutSet(timeout);
    }

    /// @notice Sets the protocol share, fee jar and minimum fee. Only governance.
    function setFees(uint16 protocolBps, address jar, uint96 minFee) external onlyOwner {
        _setFees(protocolBps, jar, minFee);
    }

    /// @notice Sends accrued operator fees to `to` (the rewards distribution). Only governance.
    function withdrawOperatorFees(address payable to, uint256 amount) external onlyOwner nonReentrant {
        if (amount > operatorFees) revert InsufficientOperatorFees(amount, operatorFees);
        operatorFees -= amount;
        Address.sendValue(to, amount);
    }

    // Internals ---------------------------------------------------------------------------------------

    function _requireStatus(bytes32 taskHash, TaskStatus expected) private view {
        TaskStatus actual = getTaskStatus(taskHash);
        if (actual != expected) revert InvalidTaskStatus(taskHash, expected, actual);
    }

    function _setThreshold(uint16 bps) private {
        if (bps == 0 || bps > BPS) revert InvalidThreshold(bps);
        thresholdBps = bps;
        emit ThresholdSet(bps);
    }

    function _setFees(uint16 protocolBps, address jar, uint96 minFee) private {
        if (protocolBps > BPS || (protocolBps != 0 && jar == address(0))) revert InvalidFeeParameters(protocolBps, jar);
        protocolFeeBps = protocolBps;
        feeJar = jar;
        minTaskFee = minFee;
        emit FeesSet(protocolBps, jar, minFee);
    }

    /// @dev Slashes `wad` of the operator's allocation to the compute set in every weighted strategy.
    function _slash(address operator, uint256 wad, string memory description) private returns (uint256 slashId) {
        IStrategy[] memory strategies = _sortedStrategies(registrar.strategyWeights());
        uint256[] memory wads = new uint256[](strategies.length);
        for (uint256 i = 0; i < wads.length; ++i) {
            wads[i] = wad;
        }
        (slashId, ) = IAllocationManager(address(registrar.allocationManager())).slashOperator(
            registrar.avs(),
            IAllocationManagerTypes.SlashingParams({
                operator: operator,
                operatorSetId: registrar.operatorSetId(),
                strategies: strategies,
                wadsToSlash: wads,
                description: description
            })
        );
    }

    /// @dev The AllocationManager requires strictly ascending strategies.
    function _sortedStrategies(
        IBLSAVSRegistrar.StrategyWeight[] memory weights
    ) private pure returns (IStrategy[] memory strategies) {
        strategies = new IStrategy[](weights.length);
        for (uint256 i = 0; i < weights.length; ++i) {
            IStrategy next = weights[i].strategy;
            uint256 j = i;
            while (j > 0 && address(strategies[j - 1]) > address(next)) {
                strategies[j] = strategies[j - 1];
                --j;
            }
            strategies[j] = next;
        }
    }
}
