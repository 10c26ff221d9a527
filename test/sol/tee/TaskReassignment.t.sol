// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {ITaskMailbox} from "../../../contracts/interfaces/ITaskMailbox.sol";
import {ComputeTestBase} from "./ComputeTestBase.sol";

/// @dev `reassignTask`: an accepted executor that misses its execution deadline is slashed through the
/// compute set and the task reopens for another member, whose result the set certifies.
contract TaskReassignmentTest is ComputeTestBase {
    uint96 internal constant FEE = 1 ether;
    uint64 internal constant TIMEOUT = 2 minutes;
    uint64 internal constant SLA = 10 minutes;

    function setUp() public override {
        super.setUp();
        vm.prank(governance);
        mailbox.setExecutionTimeout(TIMEOUT);
    }

    function _accepted(uint256 op) internal returns (bytes32 taskHash, uint256 acceptedAt) {
        taskHash = _createTask(FEE);
        acceptedAt = block.timestamp;
        vm.prank(ops[op]);
        mailbox.acceptTask(taskHash);
    }

    function _magnitude(uint256 op) internal view returns (uint64) {
        return am.getAllocation(ops[op], _set(SET_ID), strategy).currentMagnitude;
    }

    // Deadlines ---------------------------------------------------------------------------------------

    function test_acceptTask_setsExecutionDeadlineTimeoutAfterAcceptance() public {
        bytes32 taskHash = _createTask(FEE);
        assertEq(mailbox.getExecutionDeadline(taskHash), 0, "no executor, no deadline");
        vm.warp(block.timestamp + 1 minutes);
        vm.prank(ops[0]);
        mailbox.acceptTask(taskHash);
        assertEq(mailbox.getExecutionDeadline(taskHash), block.timestamp + TIMEOUT);
    }

    function test_acceptTask_capsExecutionDeadlineAtExpiry() public {
        bytes32 taskHash = _createTask(FEE);
        uint256 expiry = block.timestamp + SLA;
        vm.warp(expiry - 1 minutes);
        vm.prank(ops[0]);
        mailbox.acceptTask(taskHash);
        assertEq(mailbox.getExecutionDeadline(taskHash), expiry, "timeout runs past expiry: capped");
    }

    function test_acceptTask_zeroTimeoutMeansExpiry() public {
        vm.prank(governance);
        mailbox.setExecutionTimeout(0);
        bytes32 taskHash = _createTask(FEE);
        uint256 expiry = block.timestamp + SLA;
        vm.prank(ops[0]);
        mailbox.acceptTask(taskHash);
        assertEq(mailbox.getExecutionDeadline(taskHash), expiry);
        // At expiry the deadline has not passed; a second later the task is expired, so it is never
        // reassigned: the executor is slashed by slashForMissedSla instead.
        vm.warp(expiry);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMailbox.ExecutionDeadlineNotPassed.selector, taskHash, expiry, expiry)
        );
        mailbox.reassignTask(taskHash);
        vm.warp(expiry + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                taskHash,
                ITaskMailbox.TaskStatus.CREATED,
                ITaskMailbox.TaskStatus.EXPIRED
            )
        );
        mailbox.reassignTask(taskHash);
        mailbox.slashForMissedSla(taskHash, ops[0]);
    }

    function test_setExecutionTimeout_appliesToLaterAcceptances() public {
        (bytes32 first, uint256 acceptedAt) = _accepted(0);
        vm.prank(governance);
        mailbox.setExecutionTimeout(5 minutes);
        assertEq(mailbox.getExecutionDeadline(first), acceptedAt + TIMEOUT, "existing deadline unchanged");
        (bytes32 second, ) = _accepted(1);
        assertEq(mailbox.getExecutionDeadline(second), block.timestamp + 5 minutes);
    }

    function testFuzz_reassignTask_onlyAfterDeadline(uint64 acceptDelay, uint64 offset) public {
        uint256 created = block.timestamp;
        bytes32 taskHash = _createTask(FEE);
        // Accept early enough that the deadline is strictly before expiry, so deadline + 1 is still open.
        acceptDelay = uint64(bound(acceptDelay, 0, SLA - TIMEOUT - 1));
        vm.warp(created + acceptDelay);
        vm.prank(ops[1]);
        mailbox.acceptTask(taskHash);
        uint256 deadline = created + acceptDelay + TIMEOUT;
        assertEq(mailbox.getExecutionDeadline(taskHash), deadline);

        uint256 at = deadline - bound(offset, 0, TIMEOUT);
        vm.warp(at);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMailbox.ExecutionDeadlineNotPassed.selector, taskHash, deadline, at)
        );
        mailbox.reassignTask(taskHash);

        vm.warp(deadline + 1);
        uint256 slashId = mailbox.reassignTask(taskHash);
        assertEq(slashId, 1);
        assertEq(mailbox.getTask(taskHash).executor, address(0));
        assertEq(mailbox.getExecutionDeadline(taskHash), 0);
    }

    // Reassignment ------------------------------------------------------------------------------------

    function test_reassignTask_slashesOnceAndReopensTask() public {
        (bytes32 taskHash, uint256 acceptedAt) = _accepted(2);
        uint256 deadline = acceptedAt + TIMEOUT;
        uint64 before = _magnitude(2);
        vm.warp(deadline + 1);

        vm.expectEmit(address(mailbox));
        emit ITaskMailbox.ExecutorSlashedForMissedSla(taskHash, ops[2], 1);
        vm.expectEmit(address(mailbox));
        emit ITaskMailbox.TaskReassigned(taskHash, ops[2], deadline, 1);
        // Anyone may call (the dispatcher).
        vm.prank(makeAddr("dispatcher"));
        uint256 slashId = mailbox.reassignTask(taskHash);
        assertEq(slashId, 1);
        assertEq(_magnitude(2), before - before / 10, "missedSlaSlashWad of the set's magnitude");
        assertTrue(mailbox.wasReassigned(taskHash, ops[2]));
        assertFalse(mailbox.wasReassigned(taskHash, ops[0]));
        ITaskMailbox.Task memory task = mailbox.getTask(taskHash);
        assertEq(task.executor, address(0));
        assertEq(task.acceptedAt, 0);
        assertEq(uint8(mailbox.getTaskStatus(taskHash)), uint8(ITaskMailbox.TaskStatus.CREATED));

        // Nobody holds it now: a second reassignment is refused, the executor is not slashed again.
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.TaskNotAccepted.selector, taskHash));
        mailbox.reassignTask(taskHash);
        assertEq(_magnitude(2), before - before / 10);
    }

    function test_reassignTask_revertsWhenNobodyAccepted() public {
        bytes32 taskHash = _createTask(FEE);
        vm.warp(block.timestamp + TIMEOUT + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.TaskNotAccepted.selector, taskHash));
        mailbox.reassignTask(taskHash);
    }

    function test_reassignTask_revertsForUnknownVerifiedAndExpiredTasks() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                bytes32("nope"),
                ITaskMailbox.TaskStatus.CREATED,
                ITaskMailbox.TaskStatus.NONE
            )
        );
        mailbox.reassignTask(bytes32("nope"));

        (bytes32 verified, ) = _accepted(0);
        _submit(verified, _result(), _allSign());
        vm.warp(block.timestamp + TIMEOUT + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                verified,
                ITaskMailbox.TaskStatus.CREATED,
                ITaskMailbox.TaskStatus.VERIFIED
            )
        );
        mailbox.reassignTask(verified);

        (bytes32 expired, ) = _accepted(1);
        vm.warp(block.timestamp + SLA + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                expired,
                ITaskMailbox.TaskStatus.CREATED,
                ITaskMailbox.TaskStatus.EXPIRED
            )
        );
        mailbox.reassignTask(expired);
    }

    function test_acceptTask_refusesTheReassignedExecutor() public {
        (bytes32 taskHash, uint256 acceptedAt) = _accepted(0);
        vm.warp(acceptedAt + TIMEOUT + 1);
        mailbox.reassignTask(taskHash);
        vm.prank(ops[0]);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.ExecutorWasReassigned.selector, taskHash, ops[0]));
        mailbox.acceptTask(taskHash);
        // Only for that task: the executor may accept others.
        bytes32 other = _createTask(FEE);
        vm.prank(ops[0]);
        mailbox.acceptTask(other);
        assertEq(mailbox.getTask(other).executor, ops[0]);
    }

    function test_reassignTask_replacementResultIsCertifiedAndFeePaid() public {
        (bytes32 taskHash, uint256 acceptedAt) = _accepted(0);
        vm.warp(acceptedAt + TIMEOUT + 1);
        mailbox.reassignTask(taskHash);

        vm.prank(ops[1]);
        mailbox.acceptTask(taskHash);
        assertEq(mailbox.getTask(taskHash).executor, ops[1]);
        assertEq(mailbox.getExecutionDeadline(taskHash), block.timestamp + TIMEOUT, "a fresh deadline");
        vm.roll(block.number + 1);
        // The slashed executor's stake still counts in the set: all three sign (its BLS key is unchanged).
        _submit(taskHash, _result(), _allSign());
        assertEq(uint8(mailbox.getTaskStatus(taskHash)), uint8(ITaskMailbox.TaskStatus.VERIFIED));
        assertEq(mailbox.getTaskResult(taskHash).outputHash, sha256("output"));
        uint256 protocolShare = (uint256(FEE) * PROTOCOL_BPS) / 10_000;
        assertEq(feeJar.balance, protocolShare);
        assertEq(mailbox.operatorFees(), FEE - protocolShare);
    }

    function test_reassignTask_replacementCanBeReassignedToo() public {
        (bytes32 taskHash, uint256 acceptedAt) = _accepted(0);
        vm.warp(acceptedAt + TIMEOUT + 1);
        mailbox.reassignTask(taskHash);
        vm.prank(ops[1]);
        mailbox.acceptTask(taskHash);
        uint64 before = _magnitude(1);
        vm.warp(block.timestamp + TIMEOUT + 1);
        assertEq(mailbox.reassignTask(taskHash), 2);
        assertEq(_magnitude(1), before - before / 10);
        assertTrue(mailbox.wasReassigned(taskHash, ops[0]));
        assertTrue(mailbox.wasReassigned(taskHash, ops[1]));
    }

    function test_refundAndMissedSla_afterReassignment() public {
        (bytes32 taskHash, uint256 acceptedAt) = _accepted(0);
        vm.warp(acceptedAt + TIMEOUT + 1);
        mailbox.reassignTask(taskHash);
        uint64 op0After = _magnitude(0);
        vm.prank(ops[2]);
        mailbox.acceptTask(taskHash);
        uint64 op2Before = _magnitude(2);

        vm.warp(uint256(mailbox.getTask(taskHash).creationTime) + SLA + 1);
        assertEq(uint8(mailbox.getTaskStatus(taskHash)), uint8(ITaskMailbox.TaskStatus.EXPIRED));
        // The reassigned executor no longer holds the task; the replacement is slashed at expiry, once.
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.NotTaskExecutor.selector, taskHash, ops[0], ops[2]));
        mailbox.slashForMissedSla(taskHash, ops[0]);
        mailbox.slashForMissedSla(taskHash, ops[2]);
        assertEq(_magnitude(2), op2Before - op2Before / 10);
        assertEq(_magnitude(0), op0After, "the first executor is slashed once");

        uint256 balanceBefore = creator.balance;
        mailbox.refundFee(taskHash);
        assertEq(creator.balance, balanceBefore + FEE);
        assertEq(address(mailbox).balance, 0);
    }

    function test_refundFee_afterReassignmentWithNoReplacement() public {
        (bytes32 taskHash, uint256 acceptedAt) = _accepted(1);
        vm.warp(acceptedAt + TIMEOUT + 1);
        mailbox.reassignTask(taskHash);
        vm.warp(uint256(mailbox.getTask(taskHash).creationTime) + SLA + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.NotTaskExecutor.selector, taskHash, ops[1], address(0)));
        mailbox.slashForMissedSla(taskHash, ops[1]);
        uint256 balanceBefore = creator.balance;
        mailbox.refundFee(taskHash);
        assertEq(creator.balance, balanceBefore + FEE);
    }

    // Governance --------------------------------------------------------------------------------------

    function test_setExecutionTimeout_onlyGovernanceAndBounded() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        mailbox.setExecutionTimeout(1 minutes);
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidExecutionTimeout.selector, MAX_SLA + 1, MAX_SLA));
        mailbox.setExecutionTimeout(MAX_SLA + 1);
        vm.expectEmit(address(mailbox));
        emit ITaskMailbox.ExecutionTimeoutSet(MAX_SLA);
        mailbox.setExecutionTimeout(MAX_SLA);
        assertEq(mailbox.executionTimeout(), MAX_SLA);
        mailbox.setExecutionTimeout(0);
        assertEq(mailbox.executionTimeout(), 0);
        vm.stopPrank();
    }

    function testFuzz_setExecutionTimeout_bounded(uint64 timeout) public {
        vm.prank(governance);
        if (timeout > MAX_SLA) {
            vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidExecutionTimeout.selector, timeout, MAX_SLA));
            mailbox.setExecutionTimeout(timeout);
        } else {
            mailbox.setExecutionTimeout(timeout);
            assertEq(mailbox.executionTimeout(), timeout);
        }
    }
}
