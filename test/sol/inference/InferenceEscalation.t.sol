// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {CanonicalForkRegistry} from "../../../contracts/fork/CanonicalForkRegistry.sol";
import {ForkChallengeManager} from "../../../contracts/fork/ForkChallengeManager.sol";
import {ForkFactory} from "../../../contracts/fork/ForkFactory.sol";
import {GovernanceTimelock} from "../../../contracts/governance/GovernanceTimelock.sol";
import {InferenceClaims} from "../../../contracts/inference/InferenceClaims.sol";
import {ICanonicalForkRegistry} from "../../../contracts/interfaces/ICanonicalForkRegistry.sol";
import {IForkChallengeManagerTypes} from "../../../contracts/interfaces/IForkChallengeManager.sol";
import {IForkDistributor} from "../../../contracts/interfaces/IForkDistributor.sol";
import {
    IInferenceClaimsErrors,
    IInferenceClaimsEvents,
    IInferenceClaimsTypes
} from "../../../contracts/interfaces/IInferenceClaims.sol";
import {IVerificationSourceTypes} from "../../../contracts/interfaces/IVerificationSource.sol";
import {BackingEigen} from "../../../contracts/token/BackingEigen.sol";
import {Eigen} from "../../../contracts/token/Eigen.sol";
import {InferenceClaimsTest} from "./InferenceClaims.t.sol";

/// @notice Appeals that accuse the re-execution committee open an EIGEN fork challenge through InferenceClaims,
/// against the real fork stack (bEIGEN, CanonicalForkRegistry, ForkChallengeManager, ForkFactory,
/// ForkDistributor): the appellant's bEIGEN pays the commitment, InferenceClaims is the recorded challenger,
/// and the commitment and reward redeemed on the fork are passed on to the appellant.
contract InferenceEscalationTest is InferenceClaimsTest {
    uint256 internal constant SUPPLY = 1_000_000e18;
    uint256 internal constant CPF = 0.01e18;
    uint256 internal constant COMMITMENT = 10_000e18; // CPF of the supply
    uint256 internal constant EXCLUDED = 60_000e18; // >= DPF (5%) of the supply

    address internal treasury = makeAddr("treasury");
    address internal forkGov = makeAddr("forkGov");
    address internal pool = makeAddr("bEigenStrategy");
    address internal member1 = address(0x1001);
    address internal member2 = address(0x1002);

    BackingEigen internal bEigen;
    CanonicalForkRegistry internal forkRegistry;
    ForkChallengeManager internal manager;
    ForkFactory internal forkFactory;

    function setUp() public override {
        address[] memory roles = new address[](1);
        roles[0] = forkGov;
        GovernanceTimelock timelock = new GovernanceTimelock(1 days, roles, roles, address(0));
        bEigen = new BackingEigen("Backing Eigen", "bEIGEN", address(timelock), address(0), treasury, SUPPLY);
        forkRegistry = new CanonicalForkRegistry(bEigen, address(timelock));
        manager = new ForkChallengeManager(forkRegistry, CPF, 2 days, 14 days);
        Eigen eigen = new Eigen(forkRegistry, manager);
        forkFactory = new ForkFactory(
            forkRegistry,
            manager,
            address(eigen),
            pool,
            ForkFactory.Parameters({dpfWad: 0.05e18, rewardWad: 0.1e18, redeemWindow: 7 days, lockDuration: 10 days}),
            address(timelock)
        );
        forkRegistry.bind(manager, address(forkFactory));
        super.setUp();
        vm.startPrank(treasury);
        bEigen.transfer(operator, 2 * COMMITMENT);
        bEigen.transfer(challenger, 2 * COMMITMENT);
        bEigen.transfer(pool, EXCLUDED);
        vm.stopPrank();
        vm.warp(block.timestamp + 1);
    }

    function _config() internal view override returns (InferenceClaims.Config memory c) {
        c = super._config();
        c.forkRegistry = ICanonicalForkRegistry(address(forkRegistry));
    }

    function _committee() internal view returns (address[] memory accused) {
        accused = new address[](2);
        (accused[0], accused[1]) = (member1, member2);
    }

    /// @dev A claim the committee refuted: the operator is the losing disputant.
    function _refuted() internal returns (bytes32 id) {
        id = _post();
        _challenge(id);
        _resolve(id, keccak256("correct"));
    }

    function _escalate(address appellant, bytes32 id) internal returns (uint256 forkChallengeId) {
        vm.startPrank(appellant);
        bEigen.approve(address(claims), COMMITMENT);
        forkChallengeId = claims.escalateToFork(id, _committee(), bytes("da:0xevidence"));
        vm.stopPrank();
    }

    function test_escalateToFork_opensForkChallengePaidByTheAppellant() public {
        bytes32 id = _refuted();
        uint256 supplyBefore = bEigen.totalSupply();
        uint256 forkChallengeId = _escalate(operator, id);

        IForkChallengeManagerTypes.Challenge memory c = manager.getChallenge(forkChallengeId);
        assertEq(c.challenger, address(claims), "InferenceClaims is the recorded challenger");
        assertEq(c.commitment, COMMITMENT, "CPF of the supply");
        assertEq(c.evidenceHash, claims.forkEvidenceHash(id), "evidence commits to the claim and both receipts");
        assertEq(c.evidencePointer, bytes("da:0xevidence"));
        assertTrue(manager.isAccused(forkChallengeId, member1) && manager.isAccused(forkChallengeId, member2));
        assertEq(uint8(manager.statusOf(forkChallengeId)), uint8(IForkChallengeManagerTypes.ChallengeStatus.Open));
        assertEq(bEigen.balanceOf(operator), COMMITMENT, "the appellant paid the commitment");
        assertEq(bEigen.balanceOf(address(claims)), 0, "nothing stays in InferenceClaims");
        assertEq(bEigen.totalSupply(), supplyBefore - COMMITMENT, "the commitment is burned");
        (uint256 recorded, address appellant, bool redeemed) = claims.forkEscalation(id);
        assertEq(recorded, forkChallengeId);
        assertEq(appellant, operator);
        assertFalse(redeemed);
        assertTrue(claims.getClaim(id).escalated);
    }

    function test_escalateToFork_theFrivolousChallengerMayAccuseTheCommitteeOfAnUpheldClaim() public {
        bytes32 id = _post();
        _challenge(id);
        _resolve(id, keccak256("receipt"));
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.NotDisputant.selector, operator));
        claims.escalateToFork(id, _committee(), bytes("x"));
        uint256 forkChallengeId = _escalate(challenger, id);
        assertEq(manager.getChallenge(forkChallengeId).challenger, address(claims));
    }

    function test_escalateToFork_rules() public {
        bytes32 pending = _post();
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceClaimsErrors.WrongClaimStatus.selector,
                pending,
                IInferenceClaimsTypes.ClaimStatus.Posted
            )
        );
        claims.escalateToFork(pending, _committee(), bytes("x"));

        _challenge(pending);
        _resolve(pending, keccak256("correct"));
        bytes32 id = pending;
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.NotDisputant.selector, challenger));
        claims.escalateToFork(id, _committee(), bytes("x"));

        // Without an approval the pull fails and nothing is recorded.
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(claims), 0, COMMITMENT)
        );
        claims.escalateToFork(id, _committee(), bytes("x"));
        assertFalse(claims.getClaim(id).escalated);

        _escalate(operator, id);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.AlreadyEscalated.selector, id));
        claims.escalateToFork(id, _committee(), bytes("x"));
    }

    function test_escalateToFork_afterAppealWindowReverts() public {
        bytes32 id = _refuted();
        uint64 deadline = claims.getClaim(id).decidedAt + 1 days;
        vm.warp(deadline + 1);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.AppealWindowClosed.selector, id, deadline));
        claims.escalateToFork(id, _committee(), bytes("x"));
    }

    function test_escalateToFork_disabledWithoutForkRegistry() public {
        InferenceClaims.Config memory c = super._config();
        InferenceClaims plain = new InferenceClaims(c);
        vm.expectRevert(IInferenceClaimsErrors.ForkEscalationDisabled.selector);
        plain.escalateToFork(bytes32(uint256(1)), _committee(), bytes("x"));
    }

    function test_redeemForkCommitment_paysCommitmentAndRewardToTheAppellantOnce() public {
        bytes32 id = _refuted();
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.NotEscalatedToFork.selector, id));
        claims.redeemForkCommitment(id, 1);

        uint256 forkChallengeId = _escalate(operator, id);
        vm.warp(block.timestamp + 1 hours);
        (uint256 forkId, , IForkDistributor distributor) = forkFactory.createFork(
            forkChallengeId,
            bytes32(0),
            0,
            EXCLUDED,
            "ipfs://snapshot"
        );
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceClaimsErrors.ForkOfAnotherChallenge.selector, 0, 0, forkChallengeId)
        );
        claims.redeemForkCommitment(id, 0);

        uint256 amount = claims.redeemForkCommitment(id, forkId);
        assertEq(amount, COMMITMENT + EXCLUDED / 10, "commitment + reward (10% of the excluded stake)");
        assertEq(distributor.forkToken().balanceOf(operator), amount, "the appellant holds them on the fork");
        assertEq(distributor.forkToken().balanceOf(address(claims)), 0);
        (, , bool redeemed) = claims.forkEscalation(id);
        assertTrue(redeemed);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.ForkCommitmentAlreadyRedeemed.selector, id));
        claims.redeemForkCommitment(id, forkId);
    }

    // ------------------------------------------------------------------ a silent committee (TimedOut)

    /// @dev A claim the committee left unresolved past its deadline, settled by `resolveTimedOut`.
    function _timedOut() internal returns (bytes32 id) {
        id = _post();
        _challenge(id);
        vm.warp(block.timestamp + TIMEOUT + 1);
        claims.resolveTimedOut(id);
    }

    function test_escalateToFork_timedOut_theChallengerAccusesTheSilentCommittee() public {
        bytes32 id = _timedOut();
        uint256 supplyBefore = bEigen.totalSupply();
        vm.startPrank(challenger);
        bEigen.approve(address(claims), COMMITMENT);
        vm.expectEmit(address(claims));
        emit IInferenceClaimsEvents.ClaimEscalated(id, challenger, bytes32(0));
        uint256 forkChallengeId = claims.escalateToFork(id, _committee(), bytes("da:0xevidence"));
        vm.stopPrank();

        IForkChallengeManagerTypes.Challenge memory c = manager.getChallenge(forkChallengeId);
        assertEq(c.challenger, address(claims), "InferenceClaims is the recorded challenger");
        assertEq(c.commitment, COMMITMENT);
        bytes32 evidence = keccak256(
            abi.encode(claims.domain(), id, keccak256("receipt"), bytes32(0), keccak256("correct"))
        );
        assertEq(c.evidenceHash, evidence, "commits to the claim, no certified receipt, the challenger's receipt");
        assertEq(claims.forkEvidenceHash(id), evidence);
        assertTrue(manager.isAccused(forkChallengeId, member1) && manager.isAccused(forkChallengeId, member2));
        assertEq(bEigen.balanceOf(challenger), COMMITMENT, "the challenger paid the commitment");
        assertEq(bEigen.totalSupply(), supplyBefore - COMMITMENT, "the commitment is burned");
        (uint256 recorded, address appellant, ) = claims.forkEscalation(id);
        assertEq(recorded, forkChallengeId);
        assertEq(appellant, challenger);
        IInferenceClaimsTypes.Claim memory claim = claims.getClaim(id);
        assertTrue(claim.escalated);
        assertEq(uint8(claim.status), uint8(IInferenceClaimsTypes.ClaimStatus.TimedOut), "status unchanged");
        assertEq(
            uint8(claims.verificationOutcome(id).status),
            uint8(IVerificationSourceTypes.VerificationStatus.Pending),
            "still never Verified"
        );
    }

    function test_escalateToFork_timedOut_onlyTheChallenger() public {
        bytes32 id = _timedOut();
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.NotDisputant.selector, operator));
        claims.escalateToFork(id, _committee(), bytes("x"));
        vm.prank(app);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.NotDisputant.selector, app));
        claims.escalateToFork(id, _committee(), bytes("x"));
    }

    function test_escalateToFork_timedOut_afterTheAppealWindowReverts() public {
        bytes32 id = _timedOut();
        uint64 deadline = claims.getClaim(id).decidedAt + 1 days;
        vm.warp(deadline);
        vm.prank(challenger);
        bEigen.approve(address(claims), COMMITMENT);
        uint256 snapshot = vm.snapshotState();
        vm.prank(challenger);
        claims.escalateToFork(id, _committee(), bytes("x")); // the last second of the window is inside it
        vm.revertToState(snapshot);
        vm.warp(deadline + 1);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.AppealWindowClosed.selector, id, deadline));
        claims.escalateToFork(id, _committee(), bytes("x"));
    }

    function test_escalateToFork_timedOut_wrongStatusBeforeTheTimeoutIsSettled() public {
        bytes32 id = _post();
        _challenge(id);
        vm.warp(block.timestamp + TIMEOUT + 1);
        // Past the deadline but nobody called resolveTimedOut yet: the claim still reads Challenged.
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceClaimsErrors.WrongClaimStatus.selector,
                id,
                IInferenceClaimsTypes.ClaimStatus.Challenged
            )
        );
        claims.escalateToFork(id, _committee(), bytes("x"));
        claims.resolveTimedOut(id);
        _escalate(challenger, id);
    }

    function test_escalateToFork_timedOut_twiceReverts() public {
        bytes32 id = _timedOut();
        _escalate(challenger, id);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IInferenceClaimsErrors.AlreadyEscalated.selector, id));
        claims.escalateToFork(id, _committee(), bytes("x"));
    }

    function test_escalate_timedOut_staysRejected_onlyTheForkPathAccusesSilence() public {
        bytes32 id = _timedOut();
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceClaimsErrors.WrongClaimStatus.selector,
                id,
                IInferenceClaimsTypes.ClaimStatus.TimedOut
            )
        );
        claims.escalate(id);
    }

    function test_redeemForkCommitment_timedOut_paysTheChallenger() public {
        bytes32 id = _timedOut();
        uint256 forkChallengeId = _escalate(challenger, id);
        vm.warp(block.timestamp + 1 hours);
        (uint256 forkId, , IForkDistributor distributor) = forkFactory.createFork(
            forkChallengeId,
            bytes32(0),
            0,
            EXCLUDED,
            "ipfs://snapshot"
        );
        uint256 amount = claims.redeemForkCommitment(id, forkId);
        assertEq(amount, COMMITMENT + EXCLUDED / 10);
        assertEq(distributor.forkToken().balanceOf(challenger), amount, "the challenger holds them on the fork");
    }
}
