// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {BlobCertificateRegistry} from "../../../contracts/da/BlobCertificateRegistry.sol";
import {InferenceClaims} from "../../../contracts/inference/InferenceClaims.sol";
import {IAllocationManager} from "../../../contracts/interfaces/IAllocationManager.sol";
import {IBlobCertificateRegistry} from "../../../contracts/interfaces/IBlobCertificateRegistry.sol";
import {IBLSAVSRegistrar} from "../../../contracts/interfaces/IBLSAVSRegistrar.sol";
import {IBLSSignatureChecker} from "../../../contracts/interfaces/IBLSSignatureChecker.sol";
import {ICanonicalForkRegistry} from "../../../contracts/interfaces/ICanonicalForkRegistry.sol";
import {
    IInferenceClaims,
    IInferenceClaimsErrors,
    IInferenceClaimsEvents,
    IInferenceClaimsTypes
} from "../../../contracts/interfaces/IInferenceClaims.sol";
import {IVerificationSourceTypes} from "../../../contracts/interfaces/IVerificationSource.sol";
import {IVictimPayout} from "../../../contracts/interfaces/IVictimPayout.sol";
import {VictimPayout} from "../../../contracts/slashers/VictimPayout.sol";
import {RestakingTestBase} from "../core/RestakingTestBase.sol";

/// @dev Test double of the committee's BLS aggregation only: it reports fixed stake totals for the one
/// message it was told was signed and reverts otherwise. Real BLS certificates are exercised end to end in
/// test/ts/bls.test.ts and the DA network test; this file checks InferenceClaims' own rules against the
/// real restaking core (slashing, redistribution) and the real VictimPayout. A second instance stands in for
/// the DA set's aggregation behind a real BlobCertificateRegistry, so claims point at real DA certificates.
contract CommitteeDouble {
    bytes32 public signedMessage;
    uint256 public signed;
    uint256 public total;

    error NotSigned(bytes32 message);

    function set(bytes32 message, uint256 signed_, uint256 total_) external {
        (signedMessage, signed, total) = (message, signed_, total_);
    }

    function signatureChecker() external view returns (address) {
        return address(this);
    }

    function checkSignatures(
        bytes32 msgHash,
        uint32,
        IBLSSignatureChecker.NonSignerStakesAndSignature calldata
    ) external view returns (IBLSSignatureChecker.StakeTotals memory totals, bytes32) {
        if (msgHash != signedMessage) revert NotSigned(msgHash);
        return (IBLSSignatureChecker.StakeTotals(signed, total), bytes32(0));
    }
}

contract InferenceClaimsTest is RestakingTestBase {
    uint32 internal constant SET_ID = 7;
    uint64 internal constant WINDOW = 1 hours;
    uint96 internal constant BOND = 0.1 ether;
    uint64 internal constant TIMEOUT = 6 hours;
    uint64 internal constant DA_TTL = 7 days;

    InferenceClaims internal claims;
    CommitteeDouble internal committee;
    VictimPayout internal payout;
    CommitteeDouble internal daCommittee;
    BlobCertificateRegistry internal daRegistry;
    /// @dev A confirmed certificate (expiry `daExpiry`) the claims of `_input()` point at.
    bytes32 internal daCert;
    bytes32 internal evidence;
    uint64 internal daExpiry;
    address internal operator = makeAddr("operator");
    address internal app = makeAddr("app");
    address internal challenger = makeAddr("challenger");
    IBLSSignatureChecker.NonSignerStakesAndSignature internal noSig;

    function setUp() public virtual override {
        super.setUp();
        committee = new CommitteeDouble();
        payout = new VictimPayout(governance);
        daCommittee = new CommitteeDouble();
        daRegistry = new BlobCertificateRegistry(
            BlobCertificateRegistry.Config({
                registrar: IBLSAVSRegistrar(address(daCommittee)),
                governance: governance,
                confirmationThresholdBps: 6667,
                adversaryThresholdBps: 3333,
                maxReferenceAge: 100,
                maxTtl: 30 days,
                responseWindow: 1 hours,
                minChallengeBond: 0.1 ether,
                unavailabilitySlashWad: 0.1e18,
                feePerBytePeriod: 0,
                periodSeconds: 1 days,
                protocolFeeBps: 0,
                feeJar: address(0)
            })
        );
        claims = new InferenceClaims(_config());
        vm.prank(governance);
        payout.setPayoutManager(address(claims), true);
        slasher = address(claims);
        victims = address(payout);
        _createSet(SET_ID, _strategies(strategy), true);
        _operatorInSet(operator, 100 ether, SET_ID, uint64(WAD));
        vm.roll(block.number + 1);
        vm.deal(challenger, 10 ether);
        daExpiry = uint64(block.timestamp) + DA_TTL;
        daCert = _certify("claim payload", daExpiry);
        evidence = _certify("challenger evidence", daExpiry);
    }

    /// @dev Confirms a DA certificate on the real registry (the DA committee double reports 70 of 100 signed).
    function _certify(bytes32 nonce, uint64 expiry) internal returns (bytes32 id) {
        IBlobCertificateRegistry.BlobHeader memory header = IBlobCertificateRegistry.BlobHeader({
            commitmentsRoot: keccak256(abi.encode("commitments", nonce)),
            payloadLength: 1000,
            blobCount: 1,
            codingRatio: 2,
            expiry: expiry,
            payer: operator,
            nonce: nonce
        });
        id = daRegistry.certificateId(header);
        uint32 referenceBlock = uint32(block.number - 1);
        daCommittee.set(daRegistry.certificateMessage(id, referenceBlock), 70, 100);
        daRegistry.confirmBlob(header, referenceBlock, noSig);
    }

    function _config() internal view virtual returns (InferenceClaims.Config memory) {
        return
            InferenceClaims.Config({
                allocationManager: IAllocationManager(address(am)),
                inferenceAvs: avs,
                inferenceSetId: SET_ID,
                committeeRegistrar: IBLSAVSRegistrar(address(committee)),
                victimPayout: IVictimPayout(address(payout)),
                committeeThresholdBps: 6667,
                challengerRewardBps: 1000,
                maxReferenceAge: 100,
                challengeWindow: WINDOW,
                appealWindow: 1 days,
                resolutionTimeout: TIMEOUT,
                minChallengeBond: BOND,
                slashWad: 0.5e18,
                forkRegistry: ICanonicalForkRegistry(address(0)),
                daRegistry: IBlobCertificateRegistry(address(daRegistry))
            });
    }

    function _input() internal view returns (IInferenceClaimsTypes.ClaimInput memory) {
        return
            IInferenceClaimsTypes.ClaimInput(
                app,
                keccak256("model"),
                keccak256("prompt"),
                daCert,
                keccak256("receipt"),
                1 ether
            );
    }

    function _post() internal returns (bytes32 id) {
        vm.prank(operator);
        id = claims.postClaim(_input());
    }

    function _challenge(bytes32 id) internal {
        vm.prank(challenger);
        claims.challenge{value: BOND}(id, keccak256("correct"), 3, evidence);
    }

    function _resolve(bytes32 id, bytes32 certified) internal {
        committee.set(claims.committeeMessage(id, certified), 70, 100);
        vm.roll(block.number + 1);
        claims.resolve(id, certified, uint32(block.number - 1), noSig);
    }

    // ------------------------------------------------------------------ constructor

    function test_constructor_rejectsEachBadParameter() public {
        InferenceClaims.Config memory c = _config();
        c.committeeThresholdBps = 0;
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceClaimsErrors.InvalidParameter.selector, "committeeThresholdBps")
        );
        new InferenceClaims(c);
        c = _config();
        c.challengeWindow = 0;
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.InvalidParameter.selector, "challengeWindow"));
        new InferenceClaims(c);
        c = _config();
        c.slashWad = 2e18;
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.InvalidParameter.selector, "slashWad"));
        new InferenceClaims(c);
        c = _config();
        c.resolutionTimeout = 0;
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.InvalidParameter.selector, "resolutionTimeout"));
        new InferenceClaims(c);
        c = _config();
        c.challengerRewardBps = 10_001;
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceClaimsErrors.InvalidParameter.selector, "challengerRewardBps")
        );
        new InferenceClaims(c);
    }

    // ------------------------------------------------------------------ posting

    function test_postClaim_onlyInferenceSetMembers() public {
        vm.prank(app);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.NotInferenceOperator.selector, app));
        claims.postClaim(_input());
    }

    function test_postClaim_rejectsZeroFields() public {
        IInferenceClaimsTypes.ClaimInput memory input = _input();
        input.receiptHash = bytes32(0);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.ZeroClaimField.selector, "receiptHash"));
        claims.postClaim(input);
        input = _input();
        input.app = address(0);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.ZeroClaimField.selector, "app"));
        claims.postClaim(input);
    }

    function test_postClaim_twiceReverts() public {
        bytes32 id = _post();
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.ClaimAlreadyPosted.selector, id));
        claims.postClaim(_input());
    }

    function test_postClaim_unknownDaCertificateReverts() public {
        IInferenceClaimsTypes.ClaimInput memory input = _input();
        input.daCertificateId = keccak256("never confirmed");
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceClaimsErrors.CertificateNotAvailable.selector, input.daCertificateId)
        );
        claims.postClaim(input);
    }

    function test_postClaim_expiredDaCertificateReverts_lastSecondBeforeExpiryPasses() public {
        vm.warp(daExpiry);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.CertificateNotAvailable.selector, daCert));
        claims.postClaim(_input());
        vm.warp(daExpiry - 1);
        bytes32 id = _post();
        assertEq(claims.getClaim(id).daCertificateId, daCert);
    }

    function test_postClaim_availableDaCertificatePasses_andIsRecorded() public {
        bytes32 id = _post();
        assertTrue(daRegistry.isAvailable(daCert));
        IInferenceClaimsTypes.Claim memory claim = claims.getClaim(id);
        assertEq(claim.daCertificateId, daCert);
        assertEq(uint8(claim.status), uint8(IInferenceClaimsTypes.ClaimStatus.Posted));
        assertEq(address(claims.daRegistry()), address(daRegistry));
    }

    function test_postClaim_withoutDaRegistry_certificateOnlyRecorded() public {
        InferenceClaims.Config memory c = _config();
        c.daRegistry = IBlobCertificateRegistry(address(0));
        InferenceClaims withoutDa = new InferenceClaims(c);
        IInferenceClaimsTypes.ClaimInput memory input = _input();
        input.daCertificateId = keccak256("not on any DA");
        vm.prank(operator);
        bytes32 id = withoutDa.postClaim(input);
        assertEq(withoutDa.getClaim(id).daCertificateId, input.daCertificateId);
        assertEq(address(withoutDa.daRegistry()), address(0));
    }

    function test_unchallengedClaim_isPendingInsideWindowThenVerified() public {
        bytes32 id = _post();
        assertEq(
            uint8(claims.verificationOutcome(id).status),
            uint8(IVerificationSourceTypes.VerificationStatus.Pending)
        );
        vm.warp(block.timestamp + WINDOW + 1);
        IVerificationSourceTypes.VerificationOutcome memory o = claims.verificationOutcome(id);
        assertEq(uint8(o.status), uint8(IVerificationSourceTypes.VerificationStatus.Verified));
        assertEq(o.requester, app);
        assertEq(o.resultHash, keccak256("receipt"));
        assertEq(uint8(claims.verificationOutcome(bytes32(uint256(1))).status), 0);
    }

    // ------------------------------------------------------------------ challenges

    function test_challenge_rules() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.UnknownClaim.selector, bytes32(uint256(9))));
        claims.challenge{value: BOND}(bytes32(uint256(9)), bytes32(0), 0, evidence);
        bytes32 id = _post();
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.InsufficientBond.selector, BOND - 1, BOND));
        claims.challenge{value: BOND - 1}(id, bytes32(0), 0, evidence);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceClaimsErrors.ChallengerReceiptEqualsClaim.selector, keccak256("receipt"))
        );
        claims.challenge{value: BOND}(id, keccak256("receipt"), 0, evidence);
        vm.prank(challenger);
        vm.expectRevert(IInferenceClaimsErrors.MissingEvidence.selector);
        claims.challenge{value: BOND}(id, bytes32(0), 0, bytes32(0));
        _challenge(id);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceClaimsErrors.WrongClaimStatus.selector,
                id,
                IInferenceClaimsTypes.ClaimStatus.Challenged
            )
        );
        claims.challenge{value: BOND}(id, bytes32(0), 0, evidence);
        assertEq(
            uint8(claims.verificationOutcome(id).status),
            uint8(IVerificationSourceTypes.VerificationStatus.Pending)
        );
    }

    function test_challenge_evidenceMustBeOnDa() public {
        bytes32 id = _post();
        bytes32 unknown = keccak256("never confirmed");
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.CertificateNotAvailable.selector, unknown));
        claims.challenge{value: BOND}(id, keccak256("correct"), 3, unknown);
        // evidence that expired on DA is not evidence anyone can read any more
        bytes32 shortLived = _certify("short-lived evidence", uint64(block.timestamp) + 10);
        vm.warp(block.timestamp + 10);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.CertificateNotAvailable.selector, shortLived));
        claims.challenge{value: BOND}(id, keccak256("correct"), 3, shortLived);
        _challenge(id);
        assertEq(claims.getClaim(id).evidenceCertificateId, evidence);
    }

    function test_challenge_afterWindowReverts() public {
        bytes32 id = _post();
        uint64 deadline = uint64(block.timestamp) + WINDOW;
        vm.warp(deadline + 1);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.ChallengeWindowClosed.selector, id, deadline));
        claims.challenge{value: BOND}(id, bytes32(0), 0, evidence);
    }

    // ------------------------------------------------------------------ resolution

    function test_resolve_rules() public {
        bytes32 id = _post();
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceClaimsErrors.WrongClaimStatus.selector,
                id,
                IInferenceClaimsTypes.ClaimStatus.Posted
            )
        );
        claims.resolve(id, keccak256("correct"), uint32(block.number - 1), noSig);
        _challenge(id);
        uint256 challengeBlock = block.number;
        vm.expectRevert(IInferenceClaimsErrors.ZeroCertifiedReceipt.selector);
        claims.resolve(id, bytes32(0), uint32(challengeBlock), noSig);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceClaimsErrors.ReferenceBlockBeforeChallenge.selector,
                uint32(challengeBlock - 1),
                challengeBlock
            )
        );
        claims.resolve(id, keccak256("correct"), uint32(challengeBlock - 1), noSig);
        vm.roll(challengeBlock + 101);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceClaimsErrors.StaleReferenceBlock.selector,
                uint32(challengeBlock),
                challengeBlock + 101
            )
        );
        claims.resolve(id, keccak256("correct"), uint32(challengeBlock), noSig);
        committee.set(claims.committeeMessage(id, keccak256("correct")), 66, 100);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceClaimsErrors.InsufficientCommitteeStake.selector, 66, 100, 6667)
        );
        claims.resolve(id, keccak256("correct"), uint32(challengeBlock + 100), noSig);
        // A certificate over another claim's message does not count.
        vm.expectRevert(
            abi.encodeWithSelector(CommitteeDouble.NotSigned.selector, claims.committeeMessage(id, keccak256("other")))
        );
        claims.resolve(id, keccak256("other"), uint32(challengeBlock + 100), noSig);
    }

    function test_resolve_committeeAgrees_challengerBondGoesToOperator_claimVerified() public {
        bytes32 id = _post();
        _challenge(id);
        _resolve(id, keccak256("receipt"));
        assertEq(operator.balance, BOND);
        assertEq(uint8(claims.getClaim(id).status), uint8(IInferenceClaimsTypes.ClaimStatus.Upheld));
        assertEq(
            uint8(claims.verificationOutcome(id).status),
            uint8(IVerificationSourceTypes.VerificationStatus.Verified)
        );
    }

    function test_resolve_committeeDisagrees_operatorSlashed_appAndChallengerCompensated() public {
        bytes32 id = _post();
        _challenge(id);
        uint256 before = challenger.balance;
        _resolve(id, keccak256("correct"));
        assertEq(challenger.balance, before + BOND, "bond back");
        IInferenceClaimsTypes.Claim memory c = claims.getClaim(id);
        assertEq(uint8(c.status), uint8(IInferenceClaimsTypes.ClaimStatus.Refuted));
        assertEq(
            uint8(claims.verificationOutcome(id).status),
            uint8(IVerificationSourceTypes.VerificationStatus.Refuted)
        );
        // Half of the operator's 100 tokens were slashed: 45 owed to the app, 5 to the challenger.
        (uint256 appOwed, ) = payout.victimOf(1, app);
        (uint256 challengerOwed, ) = payout.victimOf(1, challenger);
        assertEq(appOwed, 45 ether);
        assertEq(challengerOwed, 5 ether);
        // Anyone clears the slash after the resolution delay; the app claims its tokens.
        vm.roll(block.number + SLASH_RESOLUTION_DELAY + 1);
        sm.clearBurnOrRedistributableShares(_set(SET_ID), c.slashId);
        payout.fund(1);
        vm.prank(app);
        payout.claim(1, app);
        assertEq(IERC20(address(token)).balanceOf(app), 45 ether);
    }

    // ------------------------------------------------------------------ committee timeout

    function test_challenge_setsResolutionDeadline() public {
        bytes32 id = _post();
        _challenge(id);
        assertEq(claims.getClaim(id).resolutionDeadline, uint64(block.timestamp) + TIMEOUT);
    }

    function test_resolveTimedOut_onlyAfterTheDeadline_returnsTheBond_slashesNobody() public {
        bytes32 id = _post();
        _challenge(id);
        uint64 deadline = uint64(block.timestamp) + TIMEOUT;
        vm.warp(deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceClaimsErrors.ResolutionDeadlineNotReached.selector, id, deadline)
        );
        claims.resolveTimedOut(id);
        vm.warp(deadline + 1);
        uint256 challengerBefore = challenger.balance;
        uint256 operatorBefore = operator.balance;
        uint64 magnitudeBefore = am.getMaxMagnitude(operator, strategy);
        vm.expectEmit(address(claims));
        emit IInferenceClaimsEvents.ChallengeTimedOut(id, challenger, BOND);
        claims.resolveTimedOut(id); // anyone may call it
        IInferenceClaimsTypes.Claim memory c = claims.getClaim(id);
        assertEq(uint8(c.status), uint8(IInferenceClaimsTypes.ClaimStatus.TimedOut));
        assertEq(c.decidedAt, deadline + 1);
        assertEq(c.slashId, 0, "nobody slashed");
        assertEq(challenger.balance, challengerBefore + BOND, "exactly the bond back");
        assertEq(operator.balance, operatorBefore, "operator not paid");
        assertEq(am.getMaxMagnitude(operator, strategy), magnitudeBefore, "stake untouched");
        assertEq(address(claims).balance, 0);
    }

    function test_timedOutClaim_staysPendingForGood_andCannotBeResolvedEscalatedOrTimedOutAgain() public {
        bytes32 id = _post();
        _challenge(id);
        vm.warp(block.timestamp + TIMEOUT + 1);
        claims.resolveTimedOut(id);
        vm.warp(block.timestamp + 365 days);
        IVerificationSourceTypes.VerificationOutcome memory outcome = claims.verificationOutcome(id);
        assertEq(uint8(outcome.status), uint8(IVerificationSourceTypes.VerificationStatus.Pending));
        assertEq(outcome.decidedAt, 0);
        bytes memory wrong = abi.encodeWithSelector(
            IInferenceClaimsErrors.WrongClaimStatus.selector,
            id,
            IInferenceClaimsTypes.ClaimStatus.TimedOut
        );
        vm.expectRevert(wrong);
        claims.resolveTimedOut(id);
        vm.expectRevert(wrong);
        claims.resolve(id, keccak256("correct"), uint32(block.number - 1), noSig);
        vm.prank(operator);
        vm.expectRevert(wrong);
        claims.escalate(id);
    }

    function test_resolveTimedOut_onlyForChallengedClaims() public {
        bytes32 id = _post();
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceClaimsErrors.WrongClaimStatus.selector,
                id,
                IInferenceClaimsTypes.ClaimStatus.Posted
            )
        );
        claims.resolveTimedOut(id);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.UnknownClaim.selector, bytes32(uint256(1))));
        claims.resolveTimedOut(bytes32(uint256(1)));
        _challenge(id);
        _resolve(id, keccak256("receipt"));
        vm.warp(block.timestamp + TIMEOUT + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceClaimsErrors.WrongClaimStatus.selector,
                id,
                IInferenceClaimsTypes.ClaimStatus.Upheld
            )
        );
        claims.resolveTimedOut(id);
    }

    /// At every moment exactly one of `resolve` (until the deadline, inclusive) and `resolveTimedOut`
    /// (strictly after it) can settle a challenged claim.
    function testFuzz_deadlineBoundary_exactlyOneOfResolveAndTimeoutSettles(
        uint64 elapsed,
        bool nearDeadline,
        bool upheld
    ) public {
        // Half the runs land within 3 seconds of the deadline, the rest anywhere up to twice the timeout.
        elapsed =
            nearDeadline
                ? uint64(bound(elapsed, TIMEOUT - 3, TIMEOUT + 3))
                : uint64(bound(elapsed, 0, 2 * uint256(TIMEOUT)));
        bytes32 id = _post();
        _challenge(id);
        uint64 deadline = uint64(block.timestamp) + TIMEOUT;
        bytes32 certified = upheld ? keccak256("receipt") : keccak256("correct");
        committee.set(claims.committeeMessage(id, certified), 70, 100);
        vm.roll(block.number + 1);
        vm.warp(block.timestamp + elapsed);
        uint32 ref = uint32(block.number - 1);
        if (block.timestamp <= deadline) {
            vm.expectRevert(
                abi.encodeWithSelector(IInferenceClaimsErrors.ResolutionDeadlineNotReached.selector, id, deadline)
            );
            claims.resolveTimedOut(id);
            claims.resolve(id, certified, ref, noSig);
            assertEq(
                uint8(claims.getClaim(id).status),
                uint8(upheld ? IInferenceClaimsTypes.ClaimStatus.Upheld : IInferenceClaimsTypes.ClaimStatus.Refuted)
            );
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(IInferenceClaimsErrors.ResolutionDeadlinePassed.selector, id, deadline)
            );
            claims.resolve(id, certified, ref, noSig);
            claims.resolveTimedOut(id);
            assertEq(uint8(claims.getClaim(id).status), uint8(IInferenceClaimsTypes.ClaimStatus.TimedOut));
        }
    }

    // ------------------------------------------------------------------ escalation

    function test_escalate_onlyTheLoserInsideTheAppealWindowOnce() public {
        bytes32 id = _post();
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceClaimsErrors.WrongClaimStatus.selector,
                id,
                IInferenceClaimsTypes.ClaimStatus.Posted
            )
        );
        claims.escalate(id);
        _challenge(id);
        _resolve(id, keccak256("correct"));
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.NotDisputant.selector, challenger));
        claims.escalate(id);
        vm.prank(operator);
        claims.escalate(id);
        assertTrue(claims.getClaim(id).escalated);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.AlreadyEscalated.selector, id));
        claims.escalate(id);
    }

    function test_escalate_afterAppealWindowReverts() public {
        bytes32 id = _post();
        _challenge(id);
        _resolve(id, keccak256("receipt"));
        uint64 deadline = uint64(block.timestamp) + 1 days;
        vm.warp(deadline + 1);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.AppealWindowClosed.selector, id, deadline));
        claims.escalate(id);
    }
}
