// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {ValidationRegistry} from "../../../contracts/agents/ValidationRegistry.sol";
import {VcloudValidator} from "../../../contracts/agents/VcloudValidator.sol";
import {IValidationRegistry, IValidationRegistryErrors} from "../../../contracts/interfaces/IValidationRegistry.sol";
import {IVcloudValidator, IVcloudValidatorErrors} from "../../../contracts/interfaces/IVcloudValidator.sol";
import {IVerificationSource, IVerificationSourceTypes} from "../../../contracts/interfaces/IVerificationSource.sol";
import {TestVerificationSource} from "../../../contracts/test/TestVerificationSource.sol";
import {AgentsFixture} from "./AgentsFixture.sol";

/// @dev A source whose outcomes the test sets directly, to reach every status transition of the bridge.
contract ScriptedSource is IVerificationSource {
    mapping(bytes32 => VerificationOutcome) internal _outcomes;

    function set(bytes32 subject, VerificationOutcome calldata outcome) external {
        _outcomes[subject] = outcome;
    }

    function verificationOutcome(bytes32 subject) external view returns (VerificationOutcome memory) {
        return _outcomes[subject];
    }
}

contract VcloudValidatorTest is AgentsFixture, IVerificationSourceTypes {
    event SourceAdded(address indexed source, string kind);
    event SourceRemoved(address indexed source);
    event ValidationAnswered(
        bytes32 indexed requestHash,
        uint256 indexed agentId,
        address indexed source,
        bytes32 subject,
        address avs,
        uint32 operatorSetId,
        uint8 response
    );
    event ValidationResponse(
        address indexed validatorAddress,
        uint256 indexed agentId,
        bytes32 indexed requestHash,
        uint8 response,
        string responseURI,
        bytes32 responseHash,
        string tag
    );

    ValidationRegistry internal registry;
    VcloudValidator internal bridge;
    ScriptedSource internal scripted;
    TestVerificationSource internal optimistic;
    address internal governance = makeAddr("governance");
    address internal arbiter = makeAddr("arbiter");
    address internal avs = makeAddr("inference-avs");
    uint256 internal agentId;
    bytes32 internal constant SUBJECT = keccak256("claim-1");
    bytes32 internal constant SALT = bytes32(0);

    function setUp() public override {
        super.setUp();
        registry = new ValidationRegistry(identity);
        bridge = new VcloudValidator(registry, governance);
        scripted = new ScriptedSource();
        optimistic = new TestVerificationSource(arbiter, 1 hours);
        vm.startPrank(governance);
        bridge.addSource(scripted, "tee");
        bridge.addSource(optimistic, "inference");
        vm.stopPrank();
        agentId = _registerAs(alice, "ipfs://agent");
    }

    function _outcome(VerificationStatus status, address requester) internal view returns (VerificationOutcome memory) {
        return
            VerificationOutcome(status, requester, OperatorSet(avs, 3), keccak256("result"), uint64(block.timestamp));
    }

    function _requestFor(IVerificationSource source, bytes32 subject) internal returns (bytes32 requestHash) {
        requestHash = bridge.requestHashFor(agentId, source, subject, SALT);
        vm.prank(alice);
        registry.validationRequest(address(bridge), agentId, "data:,vcloud", requestHash);
    }

    // ------------------------------------------------------------------ governance

    function test_addSource_onlyGovernance() public {
        ScriptedSource other = new ScriptedSource();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        bridge.addSource(other, "tee");
        vm.expectEmit(address(bridge));
        emit SourceAdded(address(other), "tee-2");
        vm.prank(governance);
        bridge.addSource(other, "tee-2");
        assertTrue(bridge.isSource(other));
        assertEq(bridge.sourceKind(other), "tee-2");
        assertEq(bridge.getSources().length, 3);
    }

    function test_addSource_withoutCode_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IVcloudValidatorErrors.SourceHasNoCode.selector, carol));
        vm.prank(governance);
        bridge.addSource(IVerificationSource(carol), "tee");
    }

    function test_addSource_emptyKind_reverts() public {
        ScriptedSource other = new ScriptedSource();
        vm.expectRevert(IVcloudValidatorErrors.EmptySourceKind.selector);
        vm.prank(governance);
        bridge.addSource(other, "");
    }

    function test_addSource_twice_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IVcloudValidatorErrors.SourceAlreadyRegistered.selector, scripted));
        vm.prank(governance);
        bridge.addSource(scripted, "again");
    }

    function test_removeSource_onlyGovernance_andOnlyRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        bridge.removeSource(scripted);
        vm.expectEmit(address(bridge));
        emit SourceRemoved(address(scripted));
        vm.prank(governance);
        bridge.removeSource(scripted);
        assertFalse(bridge.isSource(scripted));
        assertEq(bridge.sourceKind(scripted), "");
        vm.expectRevert(abi.encodeWithSelector(IVcloudValidatorErrors.SourceNotRegistered.selector, scripted));
        vm.prank(governance);
        bridge.removeSource(scripted);
    }

    function test_governanceTransfer_isTwoStep() public {
        vm.prank(governance);
        bridge.transferOwnership(carol);
        assertEq(bridge.owner(), governance);
        vm.prank(carol);
        bridge.acceptOwnership();
        assertEq(bridge.owner(), carol);
    }

    function test_constructor_zeroRegistry_reverts() public {
        vm.expectRevert(IVcloudValidatorErrors.ZeroAddress.selector);
        new VcloudValidator(IValidationRegistry(address(0)), governance);
    }

    // ------------------------------------------------------------------ request hash

    function test_requestHashFor_commitsToChainValidatorAgentSourceAndSubject() public view {
        bytes memory payload = abi.encode(block.chainid, address(bridge), agentId, address(scripted), SUBJECT, SALT);
        assertEq(bridge.requestPayload(agentId, scripted, SUBJECT, SALT), payload);
        assertEq(bridge.requestHashFor(agentId, scripted, SUBJECT, SALT), keccak256(payload));
        assertTrue(bridge.requestHashFor(agentId + 1, scripted, SUBJECT, SALT) != keccak256(payload));
    }

    // ------------------------------------------------------------------ answering

    function test_respond_verified_answers100TaggedWithKindAndRecordsTheOperatorSet() public {
        scripted.set(SUBJECT, _outcome(VerificationStatus.Verified, alice));
        bytes32 requestHash = _requestFor(scripted, SUBJECT);
        VerificationOutcome memory outcome = _outcome(VerificationStatus.Verified, alice);
        vm.expectEmit(address(bridge));
        emit ValidationAnswered(requestHash, agentId, address(scripted), SUBJECT, avs, 3, 100);
        vm.expectEmit(address(registry));
        emit ValidationResponse(address(bridge), agentId, requestHash, 100, "", keccak256(abi.encode(outcome)), "tee");
        vm.prank(carol); // anyone may trigger the answer
        assertEq(bridge.respond(requestHash, scripted, SUBJECT, SALT), 100);

        (, , uint8 response, , string memory tag, ) = registry.getValidationStatus(requestHash);
        assertEq(response, 100);
        assertEq(tag, "tee");
        IVcloudValidator.Backing memory backing = bridge.backingOf(requestHash);
        assertEq(address(backing.source), address(scripted));
        assertEq(backing.subject, SUBJECT);
        assertEq(backing.operatorSet.avs, avs);
        assertEq(backing.operatorSet.id, 3);
        assertEq(backing.resultHash, keccak256("result"));
        assertEq(backing.response, 100);
        assertEq(backing.answeredAt, block.timestamp);
    }

    function test_respond_refuted_answers0() public {
        scripted.set(SUBJECT, _outcome(VerificationStatus.Refuted, alice));
        bytes32 requestHash = _requestFor(scripted, SUBJECT);
        assertEq(bridge.respond(requestHash, scripted, SUBJECT, SALT), 0);
        (, , uint8 response, , , ) = registry.getValidationStatus(requestHash);
        assertEq(response, 0);
        assertTrue(registry.hasResponse(requestHash));
    }

    function test_respond_verifiedThenRefuted_updatesTheAnswer() public {
        scripted.set(SUBJECT, _outcome(VerificationStatus.Verified, alice));
        bytes32 requestHash = _requestFor(scripted, SUBJECT);
        bridge.respond(requestHash, scripted, SUBJECT, SALT);
        scripted.set(SUBJECT, _outcome(VerificationStatus.Refuted, alice));
        bridge.respond(requestHash, scripted, SUBJECT, SALT);
        (, , uint8 response, , , ) = registry.getValidationStatus(requestHash);
        assertEq(response, 0);
        assertEq(bridge.backingOf(requestHash).response, 0);
    }

    function test_respond_sameOutcomeTwice_reverts() public {
        scripted.set(SUBJECT, _outcome(VerificationStatus.Verified, alice));
        bytes32 requestHash = _requestFor(scripted, SUBJECT);
        bridge.respond(requestHash, scripted, SUBJECT, SALT);
        vm.expectRevert(abi.encodeWithSelector(IVcloudValidatorErrors.AnswerUnchanged.selector, requestHash, 100));
        bridge.respond(requestHash, scripted, SUBJECT, SALT);
    }

    function test_respond_pendingOrUnknownSubject_reverts() public {
        bytes32 requestHash = _requestFor(scripted, SUBJECT);
        vm.expectRevert(
            abi.encodeWithSelector(IVcloudValidatorErrors.OutcomeNotFinal.selector, SUBJECT, VerificationStatus.None)
        );
        bridge.respond(requestHash, scripted, SUBJECT, SALT);
        scripted.set(SUBJECT, _outcome(VerificationStatus.Pending, alice));
        vm.expectRevert(
            abi.encodeWithSelector(IVcloudValidatorErrors.OutcomeNotFinal.selector, SUBJECT, VerificationStatus.Pending)
        );
        bridge.respond(requestHash, scripted, SUBJECT, SALT);
        assertFalse(registry.hasResponse(requestHash));
    }

    function test_respond_workPostedBySomeoneElse_reverts() public {
        scripted.set(SUBJECT, _outcome(VerificationStatus.Verified, bob));
        bytes32 requestHash = _requestFor(scripted, SUBJECT);
        vm.expectRevert(
            abi.encodeWithSelector(IVcloudValidatorErrors.SubjectNotFromAgent.selector, SUBJECT, bob, agentId)
        );
        bridge.respond(requestHash, scripted, SUBJECT, SALT);
    }

    function test_respond_workPostedByTheAgentWallet_counts() public {
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = _walletProof(bobKey, agentId, bob, alice, deadline);
        vm.prank(alice);
        identity.setAgentWallet(agentId, bob, deadline, proof);
        scripted.set(SUBJECT, _outcome(VerificationStatus.Verified, bob));
        bytes32 requestHash = _requestFor(scripted, SUBJECT);
        assertEq(bridge.respond(requestHash, scripted, SUBJECT, SALT), 100);
    }

    function test_respond_unregisteredSource_reverts() public {
        ScriptedSource rogue = new ScriptedSource();
        rogue.set(SUBJECT, _outcome(VerificationStatus.Verified, alice));
        bytes32 requestHash = _requestFor(rogue, SUBJECT);
        vm.expectRevert(abi.encodeWithSelector(IVcloudValidatorErrors.SourceNotRegistered.selector, rogue));
        bridge.respond(requestHash, rogue, SUBJECT, SALT);
    }

    function test_respond_hashNotCommittingToSourceAndSubject_reverts() public {
        scripted.set(keccak256("other"), _outcome(VerificationStatus.Verified, alice));
        bytes32 requestHash = _requestFor(scripted, SUBJECT);
        bytes32 expected = bridge.requestHashFor(agentId, scripted, keccak256("other"), SALT);
        vm.expectRevert(
            abi.encodeWithSelector(IVcloudValidatorErrors.RequestHashMismatch.selector, requestHash, expected)
        );
        bridge.respond(requestHash, scripted, keccak256("other"), SALT);
    }

    function test_respond_requestForAnotherValidator_reverts() public {
        bytes32 requestHash = bridge.requestHashFor(agentId, scripted, SUBJECT, SALT);
        vm.prank(alice);
        registry.validationRequest(carol, agentId, "ipfs://r", requestHash);
        vm.expectRevert(
            abi.encodeWithSelector(IVcloudValidatorErrors.RequestNotForThisValidator.selector, requestHash, carol)
        );
        bridge.respond(requestHash, scripted, SUBJECT, SALT);
    }

    function test_requestHashTakenByAnotherAgent_agentRequestsAgainWithAnotherSalt() public {
        scripted.set(SUBJECT, _outcome(VerificationStatus.Verified, alice));
        bytes32 requestHash = bridge.requestHashFor(agentId, scripted, SUBJECT, SALT);
        // bob front-runs alice's request, opening the same hash for his own agent.
        uint256 bobsAgent = _registerAs(bob, "ipfs://bob");
        vm.prank(bob);
        registry.validationRequest(address(bridge), bobsAgent, "ipfs://grief", requestHash);
        vm.expectRevert(
            abi.encodeWithSelector(IValidationRegistryErrors.ValidationRequestExists.selector, requestHash)
        );
        vm.prank(alice);
        registry.validationRequest(address(bridge), agentId, "ipfs://r", requestHash);
        // bob's copy can never be answered: the hash commits to alice's agent id.
        vm.expectRevert(
            abi.encodeWithSelector(
                IVcloudValidatorErrors.RequestHashMismatch.selector,
                requestHash,
                bridge.requestHashFor(bobsAgent, scripted, SUBJECT, SALT)
            )
        );
        bridge.respond(requestHash, scripted, SUBJECT, SALT);
        // alice re-requests with a fresh salt and is answered.
        bytes32 salt2 = keccak256("retry");
        bytes32 retry = bridge.requestHashFor(agentId, scripted, SUBJECT, salt2);
        vm.prank(alice);
        registry.validationRequest(address(bridge), agentId, "ipfs://r", retry);
        assertEq(bridge.respond(retry, scripted, SUBJECT, salt2), 100);
    }

    function test_respond_unknownRequest_revertsWithTheRegistryError() public {
        vm.expectRevert(
            abi.encodeWithSelector(IValidationRegistryErrors.ValidationRequestNotFound.selector, bytes32("x"))
        );
        bridge.respond(bytes32("x"), scripted, SUBJECT, SALT);
    }

    // ------------------------------------------------------------------ with the optimistic test source

    function test_optimisticClaim_survivingItsWindow_isValidated100() public {
        vm.prank(alice);
        optimistic.post(SUBJECT, keccak256("receipt"), OperatorSet(avs, 1));
        bytes32 requestHash = _requestFor(optimistic, SUBJECT);
        vm.expectRevert(
            abi.encodeWithSelector(IVcloudValidatorErrors.OutcomeNotFinal.selector, SUBJECT, VerificationStatus.Pending)
        );
        bridge.respond(requestHash, optimistic, SUBJECT, SALT);

        vm.warp(block.timestamp + 1 hours);
        assertEq(bridge.respond(requestHash, optimistic, SUBJECT, SALT), 100);
        (, , , , string memory tag, ) = registry.getValidationStatus(requestHash);
        assertEq(tag, "inference");
        assertEq(bridge.backingOf(requestHash).operatorSet.id, 1);
        (uint64 count, uint8 average) = registry.getSummary(agentId, new address[](0), "inference");
        assertEq(count, 1);
        assertEq(average, 100);
    }

    function test_optimisticClaim_refutedInItsWindow_isValidated0() public {
        vm.prank(alice);
        optimistic.post(SUBJECT, keccak256("receipt"), OperatorSet(avs, 1));
        vm.prank(arbiter);
        optimistic.refute(SUBJECT);
        bytes32 requestHash = _requestFor(optimistic, SUBJECT);
        assertEq(bridge.respond(requestHash, optimistic, SUBJECT, SALT), 0);
        // Once the window is over it stays refuted.
        vm.warp(block.timestamp + 2 hours);
        vm.expectRevert(abi.encodeWithSelector(IVcloudValidatorErrors.AnswerUnchanged.selector, requestHash, 0));
        bridge.respond(requestHash, optimistic, SUBJECT, SALT);
    }

    function test_optimisticSource_rules() public {
        vm.prank(alice);
        optimistic.post(SUBJECT, keccak256("receipt"), OperatorSet(avs, 1));
        vm.expectRevert(abi.encodeWithSelector(TestVerificationSource.ClaimExists.selector, SUBJECT));
        optimistic.post(SUBJECT, keccak256("receipt"), OperatorSet(avs, 1));
        vm.expectRevert(abi.encodeWithSelector(TestVerificationSource.NotArbiter.selector, alice));
        vm.prank(alice);
        optimistic.refute(SUBJECT);
        vm.expectRevert(abi.encodeWithSelector(TestVerificationSource.ClaimNotFound.selector, bytes32("none")));
        vm.prank(arbiter);
        optimistic.refute(bytes32("none"));
        vm.warp(block.timestamp + 1 hours);
        vm.expectRevert();
        vm.prank(arbiter);
        optimistic.refute(SUBJECT);
        assertEq(uint8(optimistic.verificationOutcome(SUBJECT).status), uint8(VerificationStatus.Verified));
        assertEq(uint8(optimistic.verificationOutcome(bytes32("none")).status), uint8(VerificationStatus.None));
    }
}
