// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IdentityRegistry} from "../../../contracts/agents/IdentityRegistry.sol";
import {ValidationRegistry} from "../../../contracts/agents/ValidationRegistry.sol";
import {VcloudValidator} from "../../../contracts/agents/VcloudValidator.sol";
import {ITaskMailbox} from "../../../contracts/interfaces/ITaskMailbox.sol";
import {IVcloudValidatorErrors} from "../../../contracts/interfaces/IVcloudValidator.sol";
import {IVerificationSource, IVerificationSourceTypes} from "../../../contracts/interfaces/IVerificationSource.sol";
import {TaskMailbox} from "../../../contracts/tee/TaskMailbox.sol";
import {ComputeTestBase} from "./ComputeTestBase.sol";

/// @dev Wrong outputs caught by re-execution (`slashForWrongResult`) and the mailbox as the ERC-8004
/// bridge's TEE verification source.
contract TaskMailboxFraudTest is ComputeTestBase, IVerificationSourceTypes {
    uint96 internal constant FEE = 1 ether;

    function _wrong() internal pure returns (ITaskMailbox.TaskResult memory) {
        return
            ITaskMailbox.TaskResult({
                outputHash: sha256("forged output"),
                attestationHash: keccak256("forged attestation"),
                outputCertificateId: keccak256("forged-cert")
            });
    }

    function _claimSignature(
        uint256 key,
        bytes32 taskHash,
        ITaskMailbox.TaskResult memory claimed
    ) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, mailbox.getClaimDigest(taskHash, claimed));
        return abi.encodePacked(r, s, v);
    }

    /// @dev A task whose correct result the set certified.
    function _verifiedTask() internal returns (bytes32 taskHash) {
        taskHash = _createTask(FEE);
        _submit(taskHash, _result(), _allSign());
    }

    // slashForWrongResult ---------------------------------------------------------------------------------

    function test_slashForWrongResult_slashesTheSignerOfAnOutputTheCertifiedResultRefutes() public {
        bytes32 taskHash = _verifiedTask();
        ITaskMailbox.TaskResult memory wrong = _wrong();
        bytes memory sig = _claimSignature(opKeys[1], taskHash, wrong);
        uint64 before = am.getAllocation(ops[1], _set(SET_ID), strategy).currentMagnitude;

        vm.expectEmit(address(mailbox));
        emit ITaskMailbox.ExecutorSlashedForWrongResult(
            taskHash,
            ops[1],
            mailbox.getMessageHash(taskHash, wrong),
            wrong.outputHash,
            1
        );
        uint256 slashId = mailbox.slashForWrongResult(taskHash, ops[1], wrong, sig);
        assertEq(slashId, 1);
        uint64 afterSlash = am.getAllocation(ops[1], _set(SET_ID), strategy).currentMagnitude;
        assertEq(afterSlash, before - before / 2, "half of the set's magnitude");
    }

    function test_slashForWrongResult_onlyOncePerTaskAndOperator() public {
        bytes32 taskHash = _verifiedTask();
        ITaskMailbox.TaskResult memory wrong = _wrong();
        mailbox.slashForWrongResult(taskHash, ops[1], wrong, _claimSignature(opKeys[1], taskHash, wrong));
        ITaskMailbox.TaskResult memory other = wrong;
        other.outputHash = sha256("another forged output");
        bytes memory sig = _claimSignature(opKeys[1], taskHash, other);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.WrongResultAlreadySlashed.selector, taskHash, ops[1]));
        mailbox.slashForWrongResult(taskHash, ops[1], other, sig);
    }

    function test_slashForWrongResult_revertsUntilTheTaskIsVerified() public {
        bytes32 taskHash = _createTask(FEE);
        ITaskMailbox.TaskResult memory wrong = _wrong();
        bytes memory sig = _claimSignature(opKeys[1], taskHash, wrong);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMailbox.InvalidTaskStatus.selector,
                taskHash,
                ITaskMailbox.TaskStatus.VERIFIED,
                ITaskMailbox.TaskStatus.CREATED
            )
        );
        mailbox.slashForWrongResult(taskHash, ops[1], wrong, sig);
    }

    function test_slashForWrongResult_revertsWhenTheClaimHasTheCertifiedOutput() public {
        bytes32 taskHash = _verifiedTask();
        // Same output, different attestation: not a wrong output.
        ITaskMailbox.TaskResult memory same = _result();
        same.attestationHash = keccak256("another attestation");
        bytes memory sig = _claimSignature(opKeys[1], taskHash, same);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMailbox.ClaimMatchesVerifiedOutput.selector, taskHash, same.outputHash)
        );
        mailbox.slashForWrongResult(taskHash, ops[1], same, sig);
    }

    function test_slashForWrongResult_revertsOnAnEmptyClaim() public {
        bytes32 taskHash = _verifiedTask();
        ITaskMailbox.TaskResult memory empty;
        bytes memory sig = _claimSignature(opKeys[1], taskHash, empty);
        vm.expectRevert(ITaskMailbox.IncompleteResult.selector);
        mailbox.slashForWrongResult(taskHash, ops[1], empty, sig);
    }

    function test_slashForWrongResult_revertsWhenAnotherKeySignedTheClaim() public {
        bytes32 taskHash = _verifiedTask();
        ITaskMailbox.TaskResult memory wrong = _wrong();
        // Operator 0 signed, but the claim is pinned on operator 1.
        bytes memory sig = _claimSignature(opKeys[0], taskHash, wrong);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidClaimSignature.selector, taskHash, ops[1]));
        mailbox.slashForWrongResult(taskHash, ops[1], wrong, sig);
    }

    function test_slashForWrongResult_revertsWhenTheClaimIsForAnotherTask() public {
        bytes32 taskHash = _verifiedTask();
        bytes32 otherTask = _verifiedTask();
        ITaskMailbox.TaskResult memory wrong = _wrong();
        bytes memory sig = _claimSignature(opKeys[1], otherTask, wrong);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidClaimSignature.selector, taskHash, ops[1]));
        mailbox.slashForWrongResult(taskHash, ops[1], wrong, sig);
    }

    function test_slashForWrongResult_revertsForASignerOutsideTheExecutorSet() public {
        bytes32 taskHash = _verifiedTask();
        (address outsider, uint256 key) = makeAddrAndKey("outsider");
        ITaskMailbox.TaskResult memory wrong = _wrong();
        bytes memory sig = _claimSignature(key, taskHash, wrong);
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.NotExecutorOperator.selector, outsider));
        mailbox.slashForWrongResult(taskHash, outsider, wrong, sig);
    }

    function test_getClaimDigest_isEip712OfTheClaim() public view {
        bytes32 taskHash = keccak256("task");
        ITaskMailbox.TaskResult memory claim = _wrong();
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "ExecutorClaim(bytes32 taskHash,bytes32 outputHash,bytes32 attestationHash,bytes32 outputCertificateId)"
                ),
                taskHash,
                claim.outputHash,
                claim.attestationHash,
                claim.outputCertificateId
            )
        );
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("vcloud TaskMailbox"),
                keccak256("1"),
                block.chainid,
                address(mailbox)
            )
        );
        assertEq(mailbox.getClaimDigest(taskHash, claim), keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
    }

    function test_constructor_rejectsZeroOrAboveOneWrongResultSlash() public {
        ITaskMailbox.Config memory config = _config();
        config.wrongResultSlashWad = 0;
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidSlashWad.selector, 0));
        new TaskMailbox(config);
        config.wrongResultSlashWad = 1e18 + 1;
        vm.expectRevert(abi.encodeWithSelector(ITaskMailbox.InvalidSlashWad.selector, 1e18 + 1));
        new TaskMailbox(config);
    }

    // verificationOutcome -------------------------------------------------------------------------------

    function test_verificationOutcome_unknownSubjectIsNone() public view {
        VerificationOutcome memory o = mailbox.verificationOutcome(keccak256("nothing"));
        assertEq(uint8(o.status), uint8(VerificationStatus.None));
        assertEq(o.requester, address(0));
    }

    function test_verificationOutcome_taskIsPendingThenVerifiedWithTheCertifiedResult() public {
        bytes32 taskHash = _createTask(FEE);
        VerificationOutcome memory o = mailbox.verificationOutcome(taskHash);
        assertEq(uint8(o.status), uint8(VerificationStatus.Pending));
        assertEq(o.requester, creator);
        assertEq(o.decidedAt, 0);

        vm.warp(block.timestamp + 5);
        _submit(taskHash, _result(), _allSign());
        o = mailbox.verificationOutcome(taskHash);
        assertEq(uint8(o.status), uint8(VerificationStatus.Verified));
        assertEq(o.requester, creator);
        assertEq(o.operatorSet.avs, avs);
        assertEq(o.operatorSet.id, SET_ID);
        assertEq(o.resultHash, mailbox.getMessageHash(taskHash, _result()));
        assertEq(o.decidedAt, block.timestamp);
    }

    function test_verificationOutcome_expiredTaskIsRefuted() public {
        bytes32 taskHash = _createTask(FEE);
        uint256 created = block.timestamp;
        vm.warp(created + 10 minutes + 1);
        VerificationOutcome memory o = mailbox.verificationOutcome(taskHash);
        assertEq(uint8(o.status), uint8(VerificationStatus.Refuted));
        assertEq(o.resultHash, bytes32(0));
        assertEq(o.decidedAt, created + 10 minutes + 1);
    }

    function test_verificationOutcome_refutedClaimIsRefutedForTheTaskCreator() public {
        bytes32 taskHash = _verifiedTask();
        ITaskMailbox.TaskResult memory wrong = _wrong();
        bytes32 claimHash = mailbox.getMessageHash(taskHash, wrong);
        assertEq(uint8(mailbox.verificationOutcome(claimHash).status), uint8(VerificationStatus.None));
        mailbox.slashForWrongResult(taskHash, ops[2], wrong, _claimSignature(opKeys[2], taskHash, wrong));
        VerificationOutcome memory o = mailbox.verificationOutcome(claimHash);
        assertEq(uint8(o.status), uint8(VerificationStatus.Refuted));
        assertEq(o.requester, creator);
        assertEq(o.resultHash, claimHash);
        assertEq(o.decidedAt, block.timestamp);
        assertEq(o.operatorSet.avs, avs);
    }

    // VcloudValidator answering from the mailbox ------------------------------------------------------------

    function _bridge() internal returns (ValidationRegistry registry, VcloudValidator bridge, uint256 agentId) {
        IdentityRegistry identity = new IdentityRegistry();
        registry = new ValidationRegistry(identity);
        bridge = new VcloudValidator(registry, governance);
        vm.prank(governance);
        bridge.addSource(mailbox, "tee");
        vm.prank(creator);
        agentId = identity.register("ipfs://agent");
    }

    function _request(
        ValidationRegistry registry,
        VcloudValidator bridge,
        uint256 agentId,
        bytes32 subject
    ) internal returns (bytes32 requestHash) {
        requestHash = bridge.requestHashFor(agentId, mailbox, subject, bytes32(0));
        vm.prank(creator);
        registry.validationRequest(address(bridge), agentId, "data:,tee", requestHash);
    }

    function test_validator_answers100ForAVerifiedTaskAnd0ForARefutedClaim() public {
        (ValidationRegistry registry, VcloudValidator bridge, uint256 agentId) = _bridge();
        bytes32 taskHash = _createTask(FEE);
        bytes32 taskRequest = _request(registry, bridge, agentId, taskHash);
        vm.expectRevert(
            abi.encodeWithSelector(
                IVcloudValidatorErrors.OutcomeNotFinal.selector,
                taskHash,
                VerificationStatus.Pending
            )
        );
        bridge.respond(taskRequest, mailbox, taskHash, bytes32(0));

        _submit(taskHash, _result(), _allSign());
        assertEq(bridge.respond(taskRequest, mailbox, taskHash, bytes32(0)), 100);
        (, , uint8 response, , string memory tag, ) = registry.getValidationStatus(taskRequest);
        assertEq(response, 100);
        assertEq(tag, "tee");
        assertEq(bridge.backingOf(taskRequest).operatorSet.avs, avs);

        ITaskMailbox.TaskResult memory wrong = _wrong();
        bytes32 claimHash = mailbox.getMessageHash(taskHash, wrong);
        mailbox.slashForWrongResult(taskHash, ops[0], wrong, _claimSignature(opKeys[0], taskHash, wrong));
        bytes32 claimRequest = _request(registry, bridge, agentId, claimHash);
        assertEq(bridge.respond(claimRequest, mailbox, claimHash, bytes32(0)), 0);
        (, , response, , , ) = registry.getValidationStatus(claimRequest);
        assertEq(response, 0);
    }

    function test_validator_refusesATaskPostedBySomeoneElse() public {
        (ValidationRegistry registry, VcloudValidator bridge, uint256 agentId) = _bridge();
        ITaskMailbox.TaskParams memory p = _params();
        address stranger = makeAddr("stranger");
        vm.deal(stranger, 10 ether);
        vm.prank(stranger);
        bytes32 taskHash = mailbox.createTask{value: FEE}(p);
        _submit(taskHash, _result(), _allSign());
        bytes32 requestHash = _request(registry, bridge, agentId, taskHash);
        vm.expectRevert(
            abi.encodeWithSelector(IVcloudValidatorErrors.SubjectNotFromAgent.selector, taskHash, stranger, agentId)
        );
        bridge.respond(requestHash, IVerificationSource(address(mailbox)), taskHash, bytes32(0));
    }
}
