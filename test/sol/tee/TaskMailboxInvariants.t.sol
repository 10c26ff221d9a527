// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {IBLSSignatureChecker} from "../../../contracts/interfaces/IBLSSignatureChecker.sol";
import {ITaskMailbox} from "../../../contracts/interfaces/ITaskMailbox.sol";
import {TaskMailbox} from "../../../contracts/tee/TaskMailbox.sol";
import {ComputeTestBase} from "./ComputeTestBase.sol";

/// @dev Builds real BLS certificates (the test contract holds the operators' keys).
interface ICertificateBuilder {
    function certificateFor(
        bytes32 msgHash,
        uint32 referenceBlock,
        bool[3] memory signs
    ) external view returns (IBLSSignatureChecker.NonSignerStakesAndSignature memory);
}

/// @dev Drives random task fee flows on the real TaskMailbox: tasks created with random fees, SLAs and
/// refund collectors (and under-paid), results certified by real BLS aggregate signatures of random signer
/// subsets (enough or too little stake, before or after expiry), refunds (of expired, live, verified and
/// already refunded tasks) and governance withdrawals of operator fees. Outcomes are predicted from the
/// handler's model; disagreements raise ghost flags.
contract TaskFeesHandler is Test {
    uint256 internal constant BPS = 10_000;

    TaskMailbox public mailbox;
    ICertificateBuilder public builder;
    bytes32 public appId;
    address public governance;
    address public feeJar;
    address public creator;
    address public withdrawTo;
    uint256 public currentTime;
    uint256 public currentBlock;
    uint256[3] internal _stakes;

    bytes32[] public taskHashes;
    mapping(bytes32 taskHash => bool) public ghostVerified;
    mapping(bytes32 taskHash => bool) public ghostRefunded;

    uint256 public ghostFeesPaidIn;
    uint256 public ghostProtocolShare;
    uint256 public ghostOperatorFees;
    uint256 public ghostWithdrawn;
    uint256 public ghostRefundedTotal;

    bool public createOutcomeMismatch;
    bool public submitOutcomeMismatch;
    bool public refundOutcomeMismatch;
    bool public refundedTwice;
    bool public withdrawOutcomeMismatch;

    uint256 public verifiedCount;
    uint256 public refundCount;

    constructor(
        TaskMailbox mailbox_,
        ICertificateBuilder builder_,
        bytes32 appId_,
        address governance_,
        uint256[3] memory stakes_
    ) {
        (mailbox, builder, appId, governance) = (mailbox_, builder_, appId_, governance_);
        feeJar = mailbox.feeJar();
        _stakes = stakes_;
        creator = makeAddr("taskCreator");
        withdrawTo = makeAddr("rewardsDistribution");
        currentTime = block.timestamp;
        currentBlock = block.number;
    }

    modifier atCurrentTime() {
        // Block-environment changes are not guaranteed to persist between fuzzed calls: re-apply them.
        vm.warp(currentTime);
        vm.roll(currentBlock);
        _;
    }

    // ------------------------------------------------------------------ actions

    function createTask(uint256 fee, uint256 sla, uint256 collectorSeed, bool underpay) external atCurrentTime {
        uint256 minFee = mailbox.minTaskFee();
        fee = underpay ? _bound(fee, 0, minFee - 1) : _bound(fee, minFee, 5 ether);
        ITaskMailbox.TaskParams memory params = ITaskMailbox.TaskParams({
            appId: appId,
            inputHash: keccak256(abi.encode("input", taskHashes.length)),
            inputCertificateId: keccak256(abi.encode("input-cert", taskHashes.length)),
            sla: uint64(_bound(sla, 1, mailbox.maxTaskSla())),
            refundCollector: collectorSeed % 2 == 0 ? address(0) : makeAddr("refundCollector")
        });
        vm.deal(creator, fee);
        vm.prank(creator);
        try mailbox.createTask{value: fee}(params) returns (bytes32 taskHash) {
            if (underpay) createOutcomeMismatch = true;
            if (mailbox.getTask(taskHash).fee != fee) createOutcomeMismatch = true;
            taskHashes.push(taskHash);
            ghostFeesPaidIn += fee;
        } catch {
            if (!underpay) createOutcomeMismatch = true;
        }
    }

    /// @dev Signers are a random non-empty subset of the three operators (stakes 1:2:3, threshold 60%).
    function submitResult(uint256 taskSeed, uint256 signMask, uint256 outputSeed) external atCurrentTime {
        if (taskHashes.length == 0) return;
        bytes32 taskHash = taskHashes[taskSeed % taskHashes.length];
        signMask = _bound(signMask, 1, 7);
        bool[3] memory signs = [signMask & 1 != 0, signMask & 2 != 0, signMask & 4 != 0];
        uint256 signed;
        uint256 total;
        for (uint256 i = 0; i < 3; ++i) {
            total += _stakes[i];
            if (signs[i]) signed += _stakes[i];
        }
        ITaskMailbox.TaskResult memory result = ITaskMailbox.TaskResult({
            outputHash: keccak256(abi.encode("output", outputSeed)),
            attestationHash: keccak256("attestation"),
            outputCertificateId: keccak256("output-cert")
        });
        uint32 referenceBlock = uint32(currentBlock - 1);
        IBLSSignatureChecker.NonSignerStakesAndSignature memory cert = builder.certificateFor(
            mailbox.getMessageHash(taskHash, result),
            referenceBlock,
            signs
        );
        bool live = mailbox.getTaskStatus(taskHash) == ITaskMailbox.TaskStatus.CREATED;
        bool expectOk = live && signed * BPS >= total * mailbox.thresholdBps();
        uint256 fee = mailbox.getTask(taskHash).fee;
        try mailbox.submitResult(taskHash, result, referenceBlock, cert) {
            if (!expectOk || ghostVerified[taskHash] || ghostRefunded[taskHash]) submitOutcomeMismatch = true;
            ghostVerified[taskHash] = true;
            uint256 protocolShare = (fee * mailbox.protocolFeeBps()) / BPS;
            ghostProtocolShare += protocolShare;
            ghostOperatorFees += fee - protocolShare;
            ++verifiedCount;
        } catch {
            if (expectOk) submitOutcomeMismatch = true;
        }
    }

    function refundFee(uint256 taskSeed) external atCurrentTime {
        if (taskHashes.length == 0) return;
        bytes32 taskHash = taskHashes[taskSeed % taskHashes.length];
        ITaskMailbox.Task memory task = mailbox.getTask(taskHash);
        bool expired = mailbox.getTaskStatus(taskHash) == ITaskMailbox.TaskStatus.EXPIRED;
        bool expectOk = expired && !ghostRefunded[taskHash];
        uint256 before = task.refundCollector.balance;
        vm.prank(makeAddr("anyone"));
        try mailbox.refundFee(taskHash) {
            if (ghostRefunded[taskHash]) refundedTwice = true;
            if (!expectOk || ghostVerified[taskHash]) refundOutcomeMismatch = true;
            if (task.refundCollector.balance - before != task.fee) refundOutcomeMismatch = true;
            ghostRefunded[taskHash] = true;
            ghostRefundedTotal += task.fee;
            ++refundCount;
        } catch {
            if (expectOk) refundOutcomeMismatch = true;
        }
    }

    function withdrawOperatorFees(uint256 amount) external atCurrentTime {
        amount = _bound(amount, 0, ghostOperatorFees - ghostWithdrawn + 1);
        bool expectOk = amount <= ghostOperatorFees - ghostWithdrawn;
        uint256 before = withdrawTo.balance;
        vm.prank(governance);
        try mailbox.withdrawOperatorFees(payable(withdrawTo), amount) {
            if (!expectOk || withdrawTo.balance - before != amount) withdrawOutcomeMismatch = true;
            ghostWithdrawn += amount;
        } catch {
            if (expectOk) withdrawOutcomeMismatch = true;
        }
    }

    function warp(uint256 seconds_) external atCurrentTime {
        currentTime += _bound(seconds_, 1, 30 minutes);
        currentBlock += 1;
        vm.warp(currentTime);
        vm.roll(currentBlock);
    }

    function taskCount() external view returns (uint256) {
        return taskHashes.length;
    }
}

contract TaskMailboxInvariantsTest is ComputeTestBase, ICertificateBuilder {
    TaskFeesHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new TaskFeesHandler(mailbox, this, appId, governance, stakes);
        targetContract(address(handler));
    }

    /// @inheritdoc ICertificateBuilder
    function certificateFor(
        bytes32 msgHash,
        uint32 referenceBlock,
        bool[3] memory signs
    ) external view returns (IBLSSignatureChecker.NonSignerStakesAndSignature memory) {
        return _certificate(msgHash, referenceBlock, signs);
    }

    /// @dev The handler really creates, verifies, refunds and withdraws (a fixed walk).
    function test_handlerWalkVerifiesRefundsAndWithdraws() public {
        handler.createTask(1 ether, 10 minutes, 0, false);
        handler.createTask(0.5 ether, 10 minutes, 1, false);
        handler.createTask(0, 10 minutes, 0, true); // under-paid
        handler.submitResult(0, 3, 1); // ops 0 and 1: half the stake, too little
        handler.submitResult(0, 7, 1); // everyone
        handler.submitResult(0, 7, 2); // already verified
        handler.refundFee(1); // still live
        handler.warp(30 minutes);
        handler.submitResult(1, 7, 1); // expired
        handler.refundFee(1);
        handler.refundFee(1); // twice
        handler.refundFee(0); // verified
        handler.withdrawOperatorFees(0.3 ether);
        assertEq(handler.verifiedCount(), 1);
        assertEq(handler.refundCount(), 1);
        assertEq(handler.ghostWithdrawn(), 0.3 ether);
        _assertNoFlags();
        invariant_mailboxHoldsEscrowPlusOperatorFees();
        invariant_everyFeeIsAccountedFor();
    }

    function _assertNoFlags() internal view {
        assertFalse(handler.createOutcomeMismatch(), "create");
        assertFalse(handler.submitOutcomeMismatch(), "submit");
        assertFalse(handler.refundOutcomeMismatch(), "refund");
        assertFalse(handler.refundedTwice(), "refunded twice");
        assertFalse(handler.withdrawOutcomeMismatch(), "withdraw");
    }

    /// @dev The mailbox's ETH == the fees of tasks neither verified nor refunded (CREATED, or EXPIRED and
    /// waiting for a refund) + the operator fees not yet withdrawn.
    function invariant_mailboxHoldsEscrowPlusOperatorFees() public view {
        uint256 escrow;
        for (uint256 i = 0; i < handler.taskCount(); ++i) {
            ITaskMailbox.Task memory task = mailbox.getTask(handler.taskHashes(i));
            if (task.status != ITaskMailbox.TaskStatus.VERIFIED && !task.feeRefunded) escrow += task.fee;
        }
        assertEq(address(mailbox).balance, escrow + mailbox.operatorFees());
        assertEq(mailbox.operatorFees(), handler.ghostOperatorFees() - handler.ghostWithdrawn());
    }

    /// @dev Every fee paid in is, exactly once, still escrowed, refunded, in the jar, or operator fees (held
    /// or withdrawn); refunds never exceed what was escrowed and no task is refunded twice or after being
    /// verified.
    function invariant_everyFeeIsAccountedFor() public view {
        assertEq(feeJar.balance, handler.ghostProtocolShare());
        assertEq(
            handler.ghostFeesPaidIn(),
            address(mailbox).balance + handler.ghostRefundedTotal() + feeJar.balance + handler.ghostWithdrawn()
        );
        assertLe(handler.ghostRefundedTotal(), handler.ghostFeesPaidIn() - handler.ghostProtocolShare());
        assertFalse(handler.refundedTwice(), "refunded twice");
        assertFalse(handler.refundOutcomeMismatch(), "refund");
    }

    /// @dev Creation, certification and withdrawals succeed exactly when the model says they must.
    function invariant_taskOutcomesMatchTheModel() public view {
        assertFalse(handler.createOutcomeMismatch(), "create");
        assertFalse(handler.submitOutcomeMismatch(), "submit");
        assertFalse(handler.withdrawOutcomeMismatch(), "withdraw");
    }
}
