// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IAppRegistry} from "./IAppRegistry.sol";
import {IBLSAVSRegistrar} from "./IBLSAVSRegistrar.sol";
import {IBLSSignatureChecker} from "./IBLSSignatureChecker.sol";
import {IVerificationSource} from "./IVerificationSource.sol";

/// @title ITaskMailbox
/// @notice vcloud's TEE compute tasks, in the shape of EigenLayer's Hourglass TaskMailbox: a creator posts
/// a task for a registered app (input on DA) with a fee and an SLA; the executor operator set returns a
/// result (output on DA, attestation hash) certified by a stake-weighted BLS certificate over
/// `keccak256(abi.encode(taskHash, result))`. A verified task pays its fee (protocol share to the fee jar,
/// the rest to the operators); a task with no verified result by its deadline expires, its fee is
/// refunded, and an operator that accepted it is slashed through the compute set (this is its slasher).
/// An accepted executor also has an execution deadline (`executionTimeout` after it accepted, at most the
/// task's expiry): once it passes without a certified result, anyone may `reassignTask`, which slashes the
/// executor for the missed SLA and opens the task to another executor (never to the same one again).
/// An executor that signed a claim of an output other than the certified one (caught by re-execution) is
/// slashed too. As an `IVerificationSource`, the mailbox tells the ERC-8004 bridge which tasks are verified
/// and which claimed results were proven wrong.
interface ITaskMailbox is IVerificationSource {
    /// @notice Stored status. EXPIRED is never stored: a CREATED task past its deadline reads EXPIRED.
    enum TaskStatus {
        NONE,
        CREATED,
        VERIFIED,
        EXPIRED
    }

    /// @notice What a creator asks for. The fee is the call's value.
    /// @param appId The app (AppRegistry) whose current release runs the task.
    /// @param inputHash sha256 of the input bytes (as keepers/tee hashes them).
    /// @param inputCertificateId The DA certificate (BlobCertificateRegistry) of the input.
    /// @param sla Seconds from creation within which a certified result must arrive.
    /// @param refundCollector Who gets the fee back if the task expires (zero: the creator).
    struct TaskParams {
        bytes32 appId;
        bytes32 inputHash;
        bytes32 inputCertificateId;
        uint64 sla;
        address refundCollector;
    }

    /// @notice What the executor set certifies.
    /// @param outputHash sha256 of the output bytes.
    /// @param attestationHash keccak256 of the worker's attestation document.
    /// @param outputCertificateId The DA certificate of the output.
    struct TaskResult {
        bytes32 outputHash;
        bytes32 attestationHash;
        bytes32 outputCertificateId;
    }

    /// @notice A task. `imageDigest`/`measurementsHash` are the app's release when the task was created.
    struct Task {
        address creator;
        uint64 creationTime;
        uint64 sla;
        address refundCollector;
        uint96 fee;
        TaskStatus status;
        bool feeRefunded;
        bool executorSlashed;
        address executor;
        uint64 acceptedAt;
        bytes32 appId;
        bytes32 imageDigest;
        bytes32 measurementsHash;
        bytes32 inputHash;
        bytes32 inputCertificateId;
        uint32 referenceBlock;
        uint128 signedStake;
        uint128 totalStake;
        bytes32 signatoryRecordHash;
        uint64 verifiedAt;
        TaskResult result;
    }

    /// @notice Deployment parameters.
    struct Config {
        IBLSAVSRegistrar registrar;
        IAppRegistry appRegistry;
        address governance;
        uint16 thresholdBps;
        uint16 protocolFeeBps;
        address feeJar;
        uint96 minTaskFee;
        uint64 maxTaskSla;
        uint32 maxReferenceAge;
        uint256 missedSlaSlashWad;
        uint256 wrongResultSlashWad;
    }

    /// @notice Thrown when the task is not in the status the action needs.
    error InvalidTaskStatus(bytes32 taskHash, TaskStatus expected, TaskStatus actual);
    /// @notice Thrown when the SLA is zero or above the maximum.
    error InvalidTaskSla(uint64 sla, uint64 maxTaskSla);
    /// @notice Thrown when the fee paid is below the minimum.
    error InsufficientFee(uint256 paid, uint256 minimum);
    /// @notice Thrown when the fee does not fit the task record.
    error FeeTooLarge(uint256 paid);
    /// @notice Thrown when the task's input hash is zero.
    error ZeroInputHash();
    /// @notice Thrown when the result's output or attestation hash is zero.
    error IncompleteResult();
    /// @notice Thrown when the app is not registered.
    error UnknownApp(bytes32 appId);
    /// @notice Thrown when the caller is not a member of the executor operator set.
    error NotExecutorOperator(address caller);
    /// @notice Thrown when a task was already accepted by an executor.
    error TaskAlreadyAccepted(bytes32 taskHash, address executor);
    /// @notice Thrown when `operator` is not the task's accepted executor.
    error NotTaskExecutor(bytes32 taskHash, address operator, address executor);
    /// @notice Thrown when the executor of the task was already slashed for it.
    error ExecutorAlreadySlashed(bytes32 taskHash);
    /// @notice Thrown when the fee of the task was already refunded.
    error FeeAlreadyRefunded(bytes32 taskHash);
    /// @notice Thrown when the reference block is older than allowed.
    error StaleReferenceBlock(uint32 referenceBlock, uint256 currentBlock);
    /// @notice Thrown when the signed stake is below the threshold.
    error InsufficientSignedStake(uint256 signedStake, uint256 totalStake, uint16 thresholdBps);
    /// @notice Thrown when the threshold is zero or above 100%.
    error InvalidThreshold(uint16 thresholdBps);
    /// @notice Thrown when a fee parameter is out of range (protocol share above 100%, share without a jar).
    error InvalidFeeParameters(uint16 protocolFeeBps, address feeJar);
    /// @notice Thrown when the slash fraction is zero or above 1 (WAD).
    error InvalidSlashWad(uint256 wad);
    /// @notice Thrown when a claim said to be wrong has the certified output hash.
    error ClaimMatchesVerifiedOutput(bytes32 taskHash, bytes32 outputHash);
    /// @notice Thrown when the claim is not signed by `operator` (EOA or ERC-1271).
    error InvalidClaimSignature(bytes32 taskHash, address operator);
    /// @notice Thrown when `operator` was already slashed for a wrong result of the task.
    error WrongResultAlreadySlashed(bytes32 taskHash, address operator);
    /// @notice Thrown when withdrawing more operator fees than accrued.
    error InsufficientOperatorFees(uint256 requested, uint256 available);
    /// @notice Thrown when the execution timeout is above the longest task SLA.
    error InvalidExecutionTimeout(uint64 timeout, uint64 maxTaskSla);
    /// @notice Thrown when reassigning a task no executor holds.
    error TaskNotAccepted(bytes32 taskHash);
    /// @notice Thrown when reassigning a task before its executor's execution deadline has passed.
    error ExecutionDeadlineNotPassed(bytes32 taskHash, uint256 deadline, uint256 timestamp);
    /// @notice Thrown when an executor the task was taken from (`reassignTask`) tries to accept it again.
    error ExecutorWasReassigned(bytes32 taskHash, address operator);

    /// @notice Emitted when a task is created.
    event TaskCreated(
        address indexed creator,
        bytes32 indexed taskHash,
        bytes32 indexed appId,
        bytes32 imageDigest,
        bytes32 inputHash,
        bytes32 inputCertificateId,
        uint96 fee,
        uint256 taskDeadline
    );
    /// @notice Emitted when an executor accepts a task.
    event TaskAccepted(bytes32 indexed taskHash, address indexed executor);
    /// @notice Emitted when a certified result is stored.
    event TaskVerified(
        address indexed aggregator,
        bytes32 indexed taskHash,
        TaskResult result,
        uint32 referenceBlock,
        uint256 signedStake,
        uint256 totalStake
    );
    /// @notice Emitted when an expired task's fee is refunded.
    event FeeRefunded(address indexed refundCollector, bytes32 indexed taskHash, uint96 fee);
    /// @notice Emitted when an executor that missed the SLA is slashed.
    event ExecutorSlashedForMissedSla(bytes32 indexed taskHash, address indexed operator, uint256 slashId);
    /// @notice Emitted when an executor that signed a wrong output is slashed; `claimHash` is the refuted
    /// claim's `getMessageHash(taskHash, claimed)`.
    event ExecutorSlashedForWrongResult(
        bytes32 indexed taskHash,
        address indexed operator,
        bytes32 indexed claimHash,
        bytes32 claimedOutputHash,
        uint256 slashId
    );
    /// @notice Emitted when a task is taken from an executor that missed its execution deadline (it is
    /// slashed, `ExecutorSlashedForMissedSla` with the same `slashId`); the task is open to accept again.
    event TaskReassigned(
        bytes32 indexed taskHash,
        address indexed executor,
        uint256 executionDeadline,
        uint256 slashId
    );
    /// @notice Emitted when governance changes the execution timeout (0: an acceptance lasts until expiry).
    event ExecutionTimeoutSet(uint64 timeout);
    /// @notice Emitted when governance changes the threshold.
    event ThresholdSet(uint16 thresholdBps);
    /// @notice Emitted when governance changes the fee parameters.
    event FeesSet(uint16 protocolFeeBps, address feeJar, uint96 minTaskFee);

    /// @notice Creates a task for the app's current release; the value sent is the fee.
    function createTask(TaskParams calldata params) external payable returns (bytes32 taskHash);

    /// @notice Records the caller, a member of the executor set, as the task's executor, with an execution
    /// deadline of `executionTimeout` from now (at most the task's expiry). An executor that lets the deadline
    /// pass is slashed and replaced with `reassignTask`, or, at expiry, slashed with `slashForMissedSla`.
    /// Reverts with ExecutorWasReassigned for an executor the task was already taken from.
    function acceptTask(bytes32 taskHash) external;

    /// @notice Takes an open (CREATED, not expired) task from its accepted executor once the executor's
    /// execution deadline has passed: slashes it `missedSlaSlashWad` through the compute set (as
    /// `slashForMissedSla` does) and clears the acceptance, so another member of the set can `acceptTask`
    /// and run it from the DA-stored input. The result stays certifiable by the set whoever runs it, the
    /// task's expiry and refund are unchanged, and the slashed executor cannot accept the task again (so it
    /// is slashed at most once per task). Anyone (the dispatcher) may call.
    /// @param taskHash The task.
    /// @return slashId The AllocationManager's slash id.
    function reassignTask(bytes32 taskHash) external returns (uint256 slashId);

    /// @notice Stores a result certified by the executor set's aggregate BLS signature over
    /// `getMessageHash(taskHash, result)` at `referenceBlock`, with at least `thresholdBps` of the stake
    /// signing, and pays the fee out. Anyone (the aggregator) may submit.
    function submitResult(
        bytes32 taskHash,
        TaskResult calldata result,
        uint32 referenceBlock,
        IBLSSignatureChecker.NonSignerStakesAndSignature calldata signature
    ) external;

    /// @notice Returns an expired task's fee to its refund collector. Anyone may call.
    function refundFee(bytes32 taskHash) external;

    /// @notice Slashes the task's accepted executor after the task expired without a verified result.
    function slashForMissedSla(bytes32 taskHash, address operator) external returns (uint256 slashId);

    /// @notice Slashes `operator`, a member of the executor set, for a signed claim of `claimed` as the
    /// task's result when the set certified a different output: the program is deterministic, so the
    /// re-executed, certified output proves the claim wrong. `signature` is the operator's EIP-712 signature
    /// over `getClaimDigest(taskHash, claimed)` (ECDSA or ERC-1271). Once per task and operator.
    function slashForWrongResult(
        bytes32 taskHash,
        address operator,
        TaskResult calldata claimed,
        bytes calldata signature
    ) external returns (uint256 slashId);

    /// @notice The EIP-712 digest of `ExecutorClaim(bytes32 taskHash,bytes32 outputHash,bytes32 attestationHash,
    /// bytes32 outputCertificateId)` an executor signs when it hands a result in.
    function getClaimDigest(bytes32 taskHash, TaskResult calldata claimed) external view returns (bytes32);

    /// @notice The task (zeroed if unknown; `status` as stored, see `getTaskStatus`).
    function getTask(bytes32 taskHash) external view returns (Task memory);

    /// @notice When the task's accepted executor must have a certified result by (unix seconds; after it,
    /// `reassignTask` may take the task). Zero when no executor holds the task.
    function getExecutionDeadline(bytes32 taskHash) external view returns (uint256);

    /// @notice Whether the task was taken from `operator` by `reassignTask`.
    function wasReassigned(bytes32 taskHash, address operator) external view returns (bool);

    /// @notice Seconds an executor has, from accepting, to get its result certified (0: until expiry).
    function executionTimeout() external view returns (uint64);

    /// @notice The task's status, EXPIRED included.
    function getTaskStatus(bytes32 taskHash) external view returns (TaskStatus);

    /// @notice The verified result (reverts with InvalidTaskStatus unless VERIFIED).
    function getTaskResult(bytes32 taskHash) external view returns (TaskResult memory);

    /// @notice keccak256(abi.encode(taskHash, result)): what the executor set signs.
    function getMessageHash(bytes32 taskHash, TaskResult calldata result) external pure returns (bytes32);

    /// @notice The registrar of the executor operator set.
    function registrar() external view returns (IBLSAVSRegistrar);

    /// @notice The app registry tasks refer to.
    function appRegistry() external view returns (IAppRegistry);
}
