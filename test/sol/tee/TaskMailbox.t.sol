// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IBLSSignatureChecker} from "../../../contracts/interfaces/IBLSSignatureChecker.sol";
import {ITaskMailbox} from "../../../contracts/interfaces/ITaskMailbox.sol";
import {TaskMailbox} from "../../../contracts/tee/TaskMailbox.sol";
import {ComputeTestBase} from "./ComputeTestBase.sol";

contract TaskMailboxTest is ComputeTestBase {
    uint96 internal constant FEE = 1 ether;

    // Creation ----------------------------------------------------------------------------------------

    function test_createTask_recordsTaskWithAppReleaseAndFee() public {
        bytes32 taskHash = _createTask(FEE);
        ITaskMailbox.Task memory task = mailbox.getTask(taskHash);
        assertEq(task.creator, creator);
        assertEq(task.refundCollector, creator, "zero refund collector defaults to the creator");
        assertEq(task.fee, FEE);
        assertEq(task.imageDigest, IMAGE);
        assertEq(task.measurementsHash, MEASUREMENTS);
        assertEq(task.inputHash, sha256("input"));
        assertEq(task.inputCertificateId, keccak256("input-cert"));
        assertEq(uint8(mailbox.getTaskStatus(taskHash)), uint8(ITaskMailbox.TaskStatus.CREATED));
        assertEq(address(mailbox).balance, FEE);
    }

    function test_createTask_hashIsUniquePerTask() public {
        bytes32 a = _createTask(FEE);
        bytes32 b = _createTask(FEE);
        assertTrue(a != b);
        assertEq(mailbox.taskCount(), 2);
    }

    function test_createTask_snapshotsReleaseSoLaterUpgradesDoNotChangeIt() public {
        bytes32 taskHash = _createTask(FEE);
        vm.prank(appOwner);
        apps.queueUpgrade(appId, keccak256("image-v2"), keccak256("m2"));
        vm.warp(block.timestamp + UPGRADE_DELAY);
        apps.applyUpgrade(appId);
        assertEq(mailbox.getTask(taskHash).imageDigest, IMAGE);
        bytes32 next = _createTask(FEE);
        assertEq(mailbox.getTask(next).imageDigest, keccak256("image-v2"));
    }

    function test_createTask_revertsOnZeroOrTooLongSla() public {
        ITaskMailbox.TaskParams memory p = _params();
        p.sla = 0;
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidTaskSla.selector, 0, MAX_SLA));
        mailbox.createTask{value: FEE}(p);
        p.sla = MAX_SLA + 1;
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidTaskSla.selector, MAX_SLA + 1, MAX_SLA));
        mailbox.createTask{value: FEE}(p);
    }

    function test_createTask_revertsBelowMinimumFee() public {
        ITaskMailbox.TaskParams memory p = _params();
        vm.prank(creator);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InsufficientFee.selector, MIN_FEE - 1, MIN_FEE));
        mailbox.createTask{value: MIN_FEE - 1}(p);
    }

    function test_createTask_revertsWhenFeeDoesNotFitUint96() public {
        uint256 fee = uint256(type(uint96).max) + 1;
        vm.deal(creator, fee);
        ITaskMailbox.TaskParams memory p = _params();
        vm.prank(creator);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.FeeTooLarge.selector, fee));
        mailbox.createTask{value: fee}(p);
    }

    function test_createTask_revertsOnZeroInputHash() public {
        ITaskMailbox.TaskParams memory p = _params();
        p.inputHash = bytes32(0);
        vm.expectRevert(ITaskMailbox.ZeroInputHash.selector);
        mailbox.createTask{value: FEE}(p);
    }

    function test_createTask_revertsForUnknownApp() public {
        ITaskMailbox.TaskParams memory p = _params();
        p.appId = bytes32("nope");
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.UnknownApp.selector, bytes32("nope")));
        mailbox.createTask{value: FEE}(p);
    }

    // Results -----------------------------------------------------------------------------------------

    function test_submitResult_certifiedResultVerifiesAndSplitsFee() public {
        bytes32 taskHash = _createTask(FEE);
        _submit(taskHash, _result(), _allSign());
        assertEq(uint8(mailbox.getTaskStatus(taskHash)), uint8(ITaskMailbox.TaskStatus.VERIFIED));
        ITaskMailbox.TaskResult memory stored = mailbox.getTaskResult(taskHash);
        assertEq(stored.outputHash, sha256("output"));
        assertEq(stored.attestationHash, keccak256("attestation"));
        assertEq(stored.outputCertificateId, keccak256("output-cert"));
        uint256 protocolShare = (uint256(FEE) * PROTOCOL_BPS) / 10_000;
        assertEq(feeJar.balance, protocolShare);
        assertEq(mailbox.operatorFees(), FEE - protocolShare);
        ITaskMailbox.Task memory task = mailbox.getTask(taskHash);
        assertEq(task.signedStake, task.totalStake);
        assertEq(task.totalStake, 300e18, "half of 600 allocated");
        // A verified task stays verified past its SLA.
        vm.warp(block.timestamp + 1 days);
        assertEq(uint8(mailbox.getTaskStatus(taskHash)), uint8(ITaskMailbox.TaskStatus.VERIFIED));
    }

    function test_submitResult_acceptsThresholdWithANonSigner() public {
        bytes32 taskHash = _createTask(FEE);
        // op0 (100 of 600) does not sign: 5/6 >= 60%.
        _submit(taskHash, _result(), [false, true, true]);
        ITaskMailbox.Task memory task = mailbox.getTask(taskHash);
        assertEq(task.signedStake, 250e18);
    }

    function test_submitResult_revertsBelowThreshold() public {
        bytes32 taskHash = _createTask(FEE);
        ITaskMailbox.TaskResult memory result = _result();
        uint32 ref = uint32(block.number - 1);
        // Only op1 (200 of 600) signs: 33% < 60%.
        IBLSSignatureChecker.NonSignerStakesAndSignature memory cert = _certificate(
            mailbox.getMessageHash(taskHash, result),
            ref,
            [false, true, false]
        );
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMailbox.InsufficientSignedStake.selector, 100e18, 300e18, THRESHOLD_BPS)
        );
        mailbox.submitResult(taskHash, result, ref, cert);
    }

    function test_submitResult_revertsWhenSignatureIsOverAnotherResult() public {
        bytes32 taskHash = _createTask(FEE);
        ITaskMailbox.TaskResult memory signed = _result();
        ITaskMailbox.TaskResult memory submitted = _result();
        submitted.outputHash = sha256("forged output");
        uint32 ref = uint32(block.number - 1);
        IBLSSignatureChecker.NonSignerStakesAndSignature memory cert = _certificate(
            mailbox.getMessageHash(taskHash, signed),
            ref,
            _allSign()
        );
        vm.expectRevert(IBLSSignatureChecker.InvalidAggregateSignature.selector);
        mailbox.submitResult(taskHash, submitted, ref, cert);
    }

    function test_submitResult_revertsOnSecondSubmission() public {
        bytes32 taskHash = _createTask(FEE);
        _submit(taskHash, _result(), _allSign());
        ITaskMailbox.TaskResult memory result = _result();
        uint32 ref = uint32(block.number - 1);
        IBLSSignatureChecker.NonSignerStakesAndSignature memory cert = _certificate(
            mailbox.getMessageHash(taskHash, result),
            ref,
            _allSign()
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                taskHash,
                ITaskMailbox.TaskStatus.CREATED,
                ITaskMailbox.TaskStatus.VERIFIED
            )
        );
        mailbox.submitResult(taskHash, result, ref, cert);
    }

    function test_submitResult_revertsForUnknownAndExpiredTasks() public {
        ITaskMailbox.TaskResult memory result = _result();
        IBLSSignatureChecker.NonSignerStakesAndSignature memory empty;
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                bytes32("nope"),
                ITaskMailbox.TaskStatus.CREATED,
                ITaskMailbox.TaskStatus.NONE
            )
        );
        mailbox.submitResult(bytes32("nope"), result, 0, empty);

        bytes32 taskHash = _createTask(FEE);
        vm.warp(block.timestamp + 10 minutes + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                taskHash,
                ITaskMailbox.TaskStatus.CREATED,
                ITaskMailbox.TaskStatus.EXPIRED
            )
        );
        mailbox.submitResult(taskHash, result, 0, empty);
    }

    function test_submitResult_revertsOnIncompleteResult() public {
        bytes32 taskHash = _createTask(FEE);
        ITaskMailbox.TaskResult memory result = _result();
        IBLSSignatureChecker.NonSignerStakesAndSignature memory empty;
        result.attestationHash = bytes32(0);
        vm.expectRevert(ITaskMailbox.IncompleteResult.selector);
        mailbox.submitResult(taskHash, result, 0, empty);
        result = _result();
        result.outputHash = bytes32(0);
        vm.expectRevert(ITaskMailbox.IncompleteResult.selector);
        mailbox.submitResult(taskHash, result, 0, empty);
    }

    function test_submitResult_revertsOnStaleReferenceBlock() public {
        bytes32 taskHash = _createTask(FEE);
        uint32 ref = uint32(block.number - 1);
        vm.roll(block.number + 200);
        IBLSSignatureChecker.NonSignerStakesAndSignature memory empty;
        ITaskMailbox.TaskResult memory result = _result();
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.StaleReferenceBlock.selector, ref, block.number));
        mailbox.submitResult(taskHash, result, ref, empty);
    }

    function test_getTaskResult_revertsUnlessVerified() public {
        bytes32 taskHash = _createTask(FEE);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                taskHash,
                ITaskMailbox.TaskStatus.VERIFIED,
                ITaskMailbox.TaskStatus.CREATED
            )
        );
        mailbox.getTaskResult(taskHash);
    }

    function test_getMessageHash_isKeccakOfEncodedTaskHashAndResult() public view {
        ITaskMailbox.TaskResult memory result = _result();
        assertEq(mailbox.getMessageHash(bytes32("t"), result), keccak256(abi.encode(bytes32("t"), result)));
    }

    // Expiry and refunds ------------------------------------------------------------------------------

    function test_status_expiresOnlyAfterSla() public {
        bytes32 taskHash = _createTask(FEE);
        vm.warp(block.timestamp + 10 minutes);
        assertEq(uint8(mailbox.getTaskStatus(taskHash)), uint8(ITaskMailbox.TaskStatus.CREATED));
        vm.warp(block.timestamp + 1);
        assertEq(uint8(mailbox.getTaskStatus(taskHash)), uint8(ITaskMailbox.TaskStatus.EXPIRED));
    }

    function test_refundFee_paysRefundCollectorOnceAfterExpiry() public {
        address collector = makeAddr("collector");
        ITaskMailbox.TaskParams memory p = _params();
        p.refundCollector = collector;
        vm.prank(creator);
        bytes32 taskHash = mailbox.createTask{value: FEE}(p);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                taskHash,
                ITaskMailbox.TaskStatus.EXPIRED,
                ITaskMailbox.TaskStatus.CREATED
            )
        );
        mailbox.refundFee(taskHash);
        vm.warp(block.timestamp + 10 minutes + 1);
        mailbox.refundFee(taskHash);
        assertEq(collector.balance, FEE);
        assertEq(address(mailbox).balance, 0);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.FeeAlreadyRefunded.selector, taskHash));
        mailbox.refundFee(taskHash);
    }

    function test_refundFee_revertsForVerifiedTask() public {
        bytes32 taskHash = _createTask(FEE);
        _submit(taskHash, _result(), _allSign());
        vm.warp(block.timestamp + 1 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                taskHash,
                ITaskMailbox.TaskStatus.EXPIRED,
                ITaskMailbox.TaskStatus.VERIFIED
            )
        );
        mailbox.refundFee(taskHash);
    }

    // Acceptance and liveness slashing ----------------------------------------------------------------

    function test_acceptTask_recordsExecutorOnce() public {
        bytes32 taskHash = _createTask(FEE);
        vm.prank(ops[1]);
        mailbox.acceptTask(taskHash);
        assertEq(mailbox.getTask(taskHash).executor, ops[1]);
        vm.prank(ops[2]);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.TaskAlreadyAccepted.selector, taskHash, ops[1]));
        mailbox.acceptTask(taskHash);
    }

    function test_acceptTask_revertsForNonMember() public {
        bytes32 taskHash = _createTask(FEE);
        vm.prank(creator);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.NotExecutorOperator.selector, creator));
        mailbox.acceptTask(taskHash);
    }

    function test_acceptTask_revertsAfterExpiry() public {
        bytes32 taskHash = _createTask(FEE);
        vm.warp(block.timestamp + 10 minutes + 1);
        vm.prank(ops[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                taskHash,
                ITaskMailbox.TaskStatus.CREATED,
                ITaskMailbox.TaskStatus.EXPIRED
            )
        );
        mailbox.acceptTask(taskHash);
    }

    function test_slashForMissedSla_slashesAcceptedExecutorOnce() public {
        bytes32 taskHash = _createTask(FEE);
        vm.prank(ops[2]);
        mailbox.acceptTask(taskHash);
        uint64 before = am.getAllocation(ops[2], _set(SET_ID), strategy).currentMagnitude;

        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                taskHash,
                ITaskMailbox.TaskStatus.EXPIRED,
                ITaskMailbox.TaskStatus.CREATED
            )
        );
        mailbox.slashForMissedSla(taskHash, ops[2]);

        vm.warp(block.timestamp + 10 minutes + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.NotTaskExecutor.selector, taskHash, ops[1], ops[2]));
        mailbox.slashForMissedSla(taskHash, ops[1]);

        uint256 slashId = mailbox.slashForMissedSla(taskHash, ops[2]);
        assertEq(slashId, 1);
        uint64 afterSlash = am.getAllocation(ops[2], _set(SET_ID), strategy).currentMagnitude;
        assertEq(afterSlash, before - before / 10, "10% of the set's magnitude");
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.ExecutorAlreadySlashed.selector, taskHash));
        mailbox.slashForMissedSla(taskHash, ops[2]);
        // The refund is independent of the slash.
        mailbox.refundFee(taskHash);
        assertEq(creator.balance, 100 ether);
    }

    function test_slashForMissedSla_revertsWhenNobodyAccepted() public {
        bytes32 taskHash = _createTask(FEE);
        vm.warp(block.timestamp + 10 minutes + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMailbox.NotTaskExecutor.selector, taskHash, address(0), address(0))
        );
        mailbox.slashForMissedSla(taskHash, address(0));
    }

    function test_slashForMissedSla_revertsWhenResultWasVerified() public {
        bytes32 taskHash = _createTask(FEE);
        vm.prank(ops[0]);
        mailbox.acceptTask(taskHash);
        _submit(taskHash, _result(), _allSign());
        vm.warp(block.timestamp + 1 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                taskHash,
                ITaskMailbox.TaskStatus.EXPIRED,
                ITaskMailbox.TaskStatus.VERIFIED
            )
        );
        mailbox.slashForMissedSla(taskHash, ops[0]);
    }

    // Governance --------------------------------------------------------------------------------------

    function test_constructor_rejectsBadParameters() public {
        ITaskMailbox.Config memory c = _config();
        c.missedSlaSlashWad = 0;
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidSlashWad.selector, 0));
        new TaskMailbox(c);
        c = _config();
        c.missedSlaSlashWad = 1e18 + 1;
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidSlashWad.selector, 1e18 + 1));
        new TaskMailbox(c);
        c = _config();
        c.thresholdBps = 0;
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidThreshold.selector, 0));
        new TaskMailbox(c);
        c = _config();
        c.protocolFeeBps = 100;
        c.feeJar = address(0);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidFeeParameters.selector, 100, address(0)));
        new TaskMailbox(c);
    }

    function test_setThreshold_onlyGovernanceAndInRange() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        mailbox.setThreshold(5000);
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidThreshold.selector, 10_001));
        mailbox.setThreshold(10_001);
        mailbox.setThreshold(10_000);
        vm.stopPrank();
        // Now all stake must sign.
        bytes32 taskHash = _createTask(FEE);
        ITaskMailbox.TaskResult memory result = _result();
        uint32 ref = uint32(block.number - 1);
        IBLSSignatureChecker.NonSignerStakesAndSignature memory cert = _certificate(
            mailbox.getMessageHash(taskHash, result),
            ref,
            [false, true, true]
        );
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InsufficientSignedStake.selector, 250e18, 300e18, 10_000));
        mailbox.submitResult(taskHash, result, ref, cert);
    }

    function test_setFees_onlyGovernanceAndInRange() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        mailbox.setFees(0, address(0), 0);
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidFeeParameters.selector, 10_001, feeJar));
        mailbox.setFees(10_001, feeJar, 0);
        mailbox.setFees(0, address(0), 0);
        vm.stopPrank();
        bytes32 taskHash = _createTask(FEE);
        _submit(taskHash, _result(), _allSign());
        assertEq(feeJar.balance, 0);
        assertEq(mailbox.operatorFees(), FEE);
    }

    function test_withdrawOperatorFees_onlyGovernanceUpToAccrued() public {
        bytes32 taskHash = _createTask(FEE);
        _submit(taskHash, _result(), _allSign());
        uint256 accrued = mailbox.operatorFees();
        address payable rewards = payable(makeAddr("rewards"));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        mailbox.withdrawOperatorFees(rewards, 1);
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InsufficientOperatorFees.selector, accrued + 1, accrued));
        mailbox.withdrawOperatorFees(rewards, accrued + 1);
        mailbox.withdrawOperatorFees(rewards, accrued);
        vm.stopPrank();
        assertEq(rewards.balance, accrued);
        assertEq(address(mailbox).balance, 0);
    }

    function testFuzz_feeSplit_conservesValue(uint96 fee, uint16 protocolBps) public {
        fee = uint96(bound(fee, MIN_FEE, 50 ether));
        protocolBps = uint16(bound(protocolBps, 0, 10_000));
        vm.prank(governance);
        mailbox.setFees(protocolBps, feeJar, MIN_FEE);
        bytes32 taskHash = _createTask(fee);
        _submit(taskHash, _result(), _allSign());
        assertEq(feeJar.balance + mailbox.operatorFees(), fee);
        assertEq(address(mailbox).balance, mailbox.operatorFees());
    }
}
