// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IAllocationManager, IAllocationManagerTypes} from "../interfaces/IAllocationManager.sol";
import {IBLSAVSRegistrar} from "../interfaces/IBLSAVSRegistrar.sol";
import {IBackingEigen} from "../interfaces/IBackingEigen.sol";
import {IBlobCertificateRegistry} from "../interfaces/IBlobCertificateRegistry.sol";
import {IBLSSignatureChecker} from "../interfaces/IBLSSignatureChecker.sol";
import {ICanonicalForkRegistry} from "../interfaces/ICanonicalForkRegistry.sol";
import {IForkChallengeManager} from "../interfaces/IForkChallengeManager.sol";
import {IInferenceClaims} from "../interfaces/IInferenceClaims.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IVictimPayout} from "../interfaces/IVictimPayout.sol";
import {OperatorSet as CoreOperatorSet} from "../libraries/OperatorSetLib.sol";

/// @title InferenceClaims
/// @notice Claims of vcloud's inference AVS, their challenge game and their ERC-8004 verification outcome.
/// This contract is the slasher of the redistributing inference operator set. The set's redistribution
/// recipient must be a `VictimPayout` on which this contract is a payout manager: a refuted claim opens one
/// payout per slashed strategy token naming the app (and the challenger, `challengerRewardBps` of it) as
/// victims; anyone clears the slash on the StrategyManager and funds the payout; the victims claim.
contract InferenceClaims is IInferenceClaims, ReentrancyGuard {
    using SafeERC20 for IERC20;

    uint256 internal constant BPS = 10_000;
    bytes32 internal constant DOMAIN_LABEL = keccak256("vcloud.InferenceClaims.committee");

    /// @notice The core's AllocationManager.
    IAllocationManager public immutable allocationManager;
    /// @notice The AVS of the inference operator set.
    address public immutable inferenceAvs;
    /// @notice The inference operator set's id (a redistributing set; this contract is its slasher).
    uint32 public immutable inferenceSetId;
    /// @notice Registrar of the verification (re-execution committee) operator set.
    IBLSAVSRegistrar public immutable committeeRegistrar;
    /// @notice Where slashed stake is redistributed (the inference set's redistribution recipient).
    IVictimPayout public immutable victimPayout;
    /// @notice Share of committee stake (bps) that must sign a resolution.
    uint16 public immutable committeeThresholdBps;
    /// @notice Share (bps) of the redistributed stake owed to the challenger; the rest is owed to the app.
    uint16 public immutable challengerRewardBps;
    /// @notice Oldest committee reference block accepted, in blocks before the resolving block.
    uint32 public immutable maxReferenceAge;
    /// @notice Seconds after posting during which a claim can be challenged.
    uint64 public immutable challengeWindow;
    /// @notice Seconds after a committee decision during which a disputant may escalate it.
    uint64 public immutable appealWindow;
    /// @notice Seconds after a challenge during which the committee may resolve it (`resolveTimedOut` after).
    uint64 public immutable resolutionTimeout;
    /// @notice Minimum challenge bond (wei).
    uint96 public immutable minChallengeBond;
    /// @notice Fraction (WAD) of the operator's allocation slashed for a refuted claim.
    uint256 public immutable slashWad;
    /// @notice The EIGEN canonical fork registry whose challenge manager `escalateToFork` uses (0: disabled).
    ICanonicalForkRegistry public immutable forkRegistry;
    /// @notice The DA certificate registry `postClaim` checks the claim's certificate against (0: not checked).
    IBlobCertificateRegistry public immutable daRegistry;

    /// @dev A claim's escalation to an EIGEN fork challenge.
    struct ForkEscalation {
        uint256 challengeId;
        address appellant;
        bool redeemed;
    }

    mapping(bytes32 claimId => ForkEscalation) private _forkEscalations;

    mapping(bytes32 claimId => Claim) private _claims;
    /// @dev Block of each claim's challenge; committee certificates must reference a later block.
    mapping(bytes32 claimId => uint256) private _challengeBlock;

    /// @notice Deployment parameters.
    struct Config {
        IAllocationManager allocationManager;
        address inferenceAvs;
        uint32 inferenceSetId;
        IBLSAVSRegistrar committeeRegistrar;
        IVictimPayout victimPayout;
        uint16 committeeThresholdBps;
        uint16 challengerRewardBps;
        uint32 maxReferenceAge;
        uint64 challengeWindow;
        uint64 appealWindow;
        /// @dev Seconds the committee has to resolve a challenge (see `resolveTimedOut`).
        uint64 resolutionTimeout;
        uint96 minChallengeBond;
        uint256 slashWad;
        /// @dev The canonical fork registry for fork escalation; address(0) disables `escalateToFork`.
        ICanonicalForkRegistry forkRegistry;
        /// @dev The DA certificate registry; `postClaim` requires `isAvailable(daCertificateId)`. address(0)
        /// disables the check (deployments without a DA AVS: the certificate id is then only recorded).
        IBlobCertificateRegistry daRegistry;
    }

    constructor(Config memory config) {
        if (address(config.allocationManager) == address(0)) revert InvalidParameter("allocationManager");
        if (config.inferenceAvs == address(0)) revert InvalidParameter("inferenceAvs");
        if (address(config.committeeRegistrar) == address(0)) revert InvalidParameter("committeeRegistrar");
        if (address(config.victimPayout) == address(0)) revert InvalidParameter("victimPayout");
        if (config.committeeThresholdBps == 0 || config.committeeThresholdBps > BPS) {
            revert InvalidParameter("committeeThresholdBps");
        }
        if (config.challengerRewardBps > BPS) revert InvalidParameter("challengerRewardBps");
        if (config.challengeWindow == 0) revert InvalidParameter("challengeWindow");
        if (config.slashWad == 0 || config.slashWad > 1e18) revert InvalidParameter("slashWad");
        if (config.resolutionTimeout == 0) revert InvalidParameter("resolutionTimeout");
        allocationManager = config.allocationManager;
        inferenceAvs = config.inferenceAvs;
        inferenceSetId = config.inferenceSetId;
        committeeRegistrar = config.committeeRegistrar;
        victimPayout = config.victimPayout;
        committeeThresholdBps = config.committeeThresholdBps;
        challengerRewardBps = config.challengerRewardBps;
        maxReferenceAge = config.maxReferenceAge;
        challengeWindow = config.challengeWindow;
        appealWindow = config.appealWindow;
        resolutionTimeout = config.resolutionTimeout;
        minChallengeBond = config.minChallengeBond;
        slashWad = config.slashWad;
        forkRegistry = config.forkRegistry;
        daRegistry = config.daRegistry;
    }

    // Claims ------------------------------------------------------------------------------------------

    /// @inheritdoc IInferenceClaims
    function postClaim(ClaimInput calldata input) external returns (bytes32 claimId) {
        if (!allocationManager.isMemberOfOperatorSet(msg.sender, CoreOperatorSet(inferenceAvs, inferenceSetId))) {
            revert NotInferenceOperator(msg.sender);
        }
        if (input.app == address(0)) revert ZeroClaimField("app");
        if (input.modelHash == bytes32(0)) revert ZeroClaimField("modelHash");
        if (input.promptHash == bytes32(0)) revert ZeroClaimField("promptHash");
        if (input.daCertificateId == bytes32(0)) revert ZeroClaimField("daCertificateId");
        if (input.receiptHash == bytes32(0)) revert ZeroClaimField("receiptHash");
        _requireOnDa(input.daCertificateId);
        claimId = keccak256(abi.encode(msg.sender, input));
        if (_claims[claimId].status != ClaimStatus.None) revert ClaimAlreadyPosted(claimId);
        // challenge and appeal windows last hours; seconds of proposer leeway cannot close one early
        // solhint-disable-next-line not-rely-on-time
        uint64 deadline = uint64(block.timestamp) + challengeWindow;
        Claim storage claim = _claims[claimId];
        claim.operator = msg.sender;
        claim.app = input.app;
        claim.modelHash = input.modelHash;
        claim.promptHash = input.promptHash;
        claim.daCertificateId = input.daCertificateId;
        claim.receiptHash = input.receiptHash;
        claim.fee = input.fee;
        // challenge and appeal windows last hours; seconds of proposer leeway cannot close one early
        // solhint-disable-next-line not-rely-on-time
        claim.postedAt = uint64(block.timestamp);
        claim.challengeDeadline = deadline;
        claim.status = ClaimStatus.Posted;
        emit ClaimPosted(
            claimId,
            msg.sender,
            input.app,
            input.modelHash,
            input.promptHash,
            input.daCertificateId,
            input.receiptHash,
            input.fee,
            deadline
        );
    }

    /// @inheritdoc IInferenceClaims
    function challenge(
        bytes32 claimId,
        bytes32 correctReceiptHash,
        uint32 firstDivergentStep,
        bytes32 evidenceCertificateId
    ) external payable {
        Claim storage claim = _existing(claimId);
        if (claim.status != ClaimStatus.Posted) revert WrongClaimStatus(claimId, claim.status);
        // challenge and appeal windows last hours; seconds of proposer leeway cannot close one early
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp > claim.challengeDeadline) revert ChallengeWindowClosed(claimId, claim.challengeDeadline);
        if (msg.value < minChallengeBond) revert InsufficientBond(msg.value, minChallengeBond);
        if (correctReceiptHash == claim.receiptHash) revert ChallengerReceiptEqualsClaim(correctReceiptHash);
        if (evidenceCertificateId == bytes32(0)) revert MissingEvidence();
        _requireOnDa(evidenceCertificateId);
        claim.status = ClaimStatus.Challenged;
        claim.challenger = msg.sender;
        claim.bond = uint96(msg.value);
        claim.challengerReceiptHash = correctReceiptHash;
        claim.firstDivergentStep = firstDivergentStep;
        claim.evidenceCertificateId = evidenceCertificateId;
        // the resolution timeout lasts hours; seconds of proposer leeway cannot settle a challenge early
        // solhint-disable-next-line not-rely-on-time
        claim.resolutionDeadline = uint64(block.timestamp) + resolutionTimeout;
        _challengeBlock[claimId] = block.number;
        emit ClaimChallenged(
            claimId,
            msg.sender,
            correctReceiptHash,
            firstDivergentStep,
            evidenceCertificateId,
            msg.value
        );
    }

    /// @inheritdoc IInferenceClaims
    function resolve(
        bytes32 claimId,
        bytes32 certifiedReceiptHash,
        uint32 referenceBlock,
        IBLSSignatureChecker.NonSignerStakesAndSignature calldata signature
    ) external nonReentrant {
        Claim storage claim = _existing(claimId);
        if (claim.status != ClaimStatus.Challenged) revert WrongClaimStatus(claimId, claim.status);
        // the resolution timeout lasts hours; seconds of proposer leeway cannot settle a challenge early
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp > claim.resolutionDeadline) {
            revert ResolutionDeadlinePassed(claimId, claim.resolutionDeadline);
        }
        if (certifiedReceiptHash == bytes32(0)) revert ZeroCertifiedReceipt();
        if (referenceBlock < _challengeBlock[claimId]) {
            revert ReferenceBlockBeforeChallenge(referenceBlock, _challengeBlock[claimId]);
        }
        if (uint256(referenceBlock) + maxReferenceAge < block.number) {
            revert StaleReferenceBlock(referenceBlock, block.number);
        }
        (IBLSSignatureChecker.StakeTotals memory totals, ) = committeeRegistrar.signatureChecker().checkSignatures(
            committeeMessage(claimId, certifiedReceiptHash),
            referenceBlock,
            signature
        );
        if (totals.totalStake == 0 || totals.signedStake * BPS < totals.totalStake * committeeThresholdBps) {
            revert InsufficientCommitteeStake(totals.signedStake, totals.totalStake, committeeThresholdBps);
        }

        claim.certifiedReceiptHash = certifiedReceiptHash;
        // challenge and appeal windows last hours; seconds of proposer leeway cannot close one early
        // solhint-disable-next-line not-rely-on-time
        claim.decidedAt = uint64(block.timestamp);
        uint256 bond = claim.bond;
        if (certifiedReceiptHash == claim.receiptHash) {
            // The claim was right: the challenger's bond pays the operator for its trouble.
            claim.status = ClaimStatus.Upheld;
            emit ClaimUpheld(claimId, claim.challenger, bond);
            Address.sendValue(payable(claim.operator), bond);
            return;
        }
        claim.status = ClaimStatus.Refuted;
        uint256 payouts = _slashAndCompensate(claimId, claim);
        emit ClaimRefuted(claimId, claim.operator, certifiedReceiptHash, claim.slashId, payouts);
        Address.sendValue(payable(claim.challenger), bond);
    }

    /// @inheritdoc IInferenceClaims
    function resolveTimedOut(bytes32 claimId) external nonReentrant {
        Claim storage claim = _existing(claimId);
        if (claim.status != ClaimStatus.Challenged) revert WrongClaimStatus(claimId, claim.status);
        uint64 deadline = claim.resolutionDeadline;
        // the resolution timeout lasts hours; seconds of proposer leeway cannot settle a challenge early
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp <= deadline) revert ResolutionDeadlineNotReached(claimId, deadline);
        claim.status = ClaimStatus.TimedOut;
        // the resolution timeout lasts hours; seconds of proposer leeway cannot settle a challenge early
        // solhint-disable-next-line not-rely-on-time
        claim.decidedAt = uint64(block.timestamp);
        uint256 bond = claim.bond;
        emit ChallengeTimedOut(claimId, claim.challenger, bond);
        Address.sendValue(payable(claim.challenger), bond);
    }

    /// @inheritdoc IInferenceClaims
    function escalate(bytes32 claimId) external {
        Claim storage claim = _recordAppeal(claimId, false);
        emit ClaimEscalated(claimId, msg.sender, claim.certifiedReceiptHash);
    }

    /// @inheritdoc IInferenceClaims
    function escalateToFork(
        bytes32 claimId,
        address[] calldata accused,
        bytes calldata evidencePointer
    ) external nonReentrant returns (uint256 forkChallengeId) {
        if (address(forkRegistry) == address(0)) revert ForkEscalationDisabled();
        Claim storage claim = _recordAppeal(claimId, true);
        IForkChallengeManager manager = forkRegistry.challengeManager();
        IERC20 token = IERC20(address(forkRegistry.canonicalToken()));
        uint256 commitment = manager.requiredCommitment();
        _forkEscalations[claimId].appellant = msg.sender;
        emit ClaimEscalated(claimId, msg.sender, claim.certifiedReceiptHash);

        // The appellant pays the commitment; the manager burns it from this contract, the recorded challenger.
        token.safeTransferFrom(msg.sender, address(this), commitment);
        token.forceApprove(address(manager), commitment);
        forkChallengeId = manager.openChallenge(accused, forkEvidenceHash(claimId), evidencePointer, commitment);
        _forkEscalations[claimId].challengeId = forkChallengeId;
        emit ClaimForkChallengeOpened(claimId, msg.sender, forkChallengeId, commitment, accused);
    }

    /// @inheritdoc IInferenceClaims
    function redeemForkCommitment(bytes32 claimId, uint256 forkId) external nonReentrant returns (uint256 amount) {
        ForkEscalation storage escalation = _forkEscalations[claimId];
        if (escalation.challengeId == 0) revert NotEscalatedToFork(claimId);
        if (escalation.redeemed) revert ForkCommitmentAlreadyRedeemed(claimId);
        ICanonicalForkRegistry.Fork memory fork = forkRegistry.getFork(forkId);
        if (fork.challengeId != escalation.challengeId) {
            revert ForkOfAnotherChallenge(forkId, fork.challengeId, escalation.challengeId);
        }
        escalation.redeemed = true;
        amount = fork.distributor.redeemCommitment();
        IBackingEigen forkToken = fork.token;
        emit ForkCommitmentRedeemed(claimId, escalation.appellant, forkId, amount);
        IERC20(address(forkToken)).safeTransfer(escalation.appellant, amount);
    }

    // Views -------------------------------------------------------------------------------------------

    /// @inheritdoc IInferenceClaims
    function committeeMessage(bytes32 claimId, bytes32 receiptHash) public view returns (bytes32) {
        return keccak256(abi.encode(domain(), claimId, receiptHash));
    }

    /// @inheritdoc IInferenceClaims
    function domain() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_LABEL, block.chainid, address(this)));
    }

    /// @inheritdoc IInferenceClaims
    function getClaim(bytes32 claimId) external view returns (Claim memory) {
        return _claims[claimId];
    }

    /// @notice Verified = survived (unchallenged past the window, or upheld by the committee); Refuted =
    /// the committee certified another receipt; Pending = inside the window, awaiting the committee, or
    /// TimedOut (nobody proved it either way: it stays Pending for good, see `resolveTimedOut`).
    /// @param subject The claim id.
    function verificationOutcome(bytes32 subject) external view returns (VerificationOutcome memory outcome) {
        Claim storage claim = _claims[subject];
        if (claim.status == ClaimStatus.None) return outcome;
        outcome.requester = claim.app;
        outcome.operatorSet = OperatorSet(inferenceAvs, inferenceSetId);
        outcome.resultHash = claim.receiptHash;
        if (claim.status == ClaimStatus.Upheld) {
            outcome.status = VerificationStatus.Verified;
            outcome.decidedAt = claim.decidedAt;
        } else if (claim.status == ClaimStatus.Refuted) {
            outcome.status = VerificationStatus.Refuted;
            outcome.decidedAt = claim.decidedAt;
            // challenge and appeal windows last hours; seconds of proposer leeway cannot close one early
            // solhint-disable-next-line not-rely-on-time
        } else if (claim.status == ClaimStatus.Posted && block.timestamp > claim.challengeDeadline) {
            outcome.status = VerificationStatus.Verified;
            outcome.decidedAt = claim.challengeDeadline + 1;
        } else {
            outcome.status = VerificationStatus.Pending;
        }
    }

    /// @inheritdoc IInferenceClaims
    function forkEscalation(
        bytes32 claimId
    ) external view returns (uint256 forkChallengeId, address appellant, bool redeemed) {
        ForkEscalation storage e = _forkEscalations[claimId];
        return (e.challengeId, e.appellant, e.redeemed);
    }

    /// @inheritdoc IInferenceClaims
    function forkEvidenceHash(bytes32 claimId) public view returns (bytes32) {
        Claim storage claim = _claims[claimId];
        return
            keccak256(
                abi.encode(
                    domain(),
                    claimId,
                    claim.receiptHash,
                    claim.certifiedReceiptHash,
                    claim.challengerReceiptHash
                )
            );
    }

    // Internals ---------------------------------------------------------------------------------------

    /// @dev With a DA registry configured, `certificateId` must be confirmed and unexpired there.
    function _requireOnDa(bytes32 certificateId) private view {
        if (address(daRegistry) != address(0) && !daRegistry.isAvailable(certificateId)) {
            revert CertificateNotAvailable(certificateId);
        }
    }

    /// @dev Checks that the caller lost the committee decision (or, with `allowTimedOut`, is the challenger of a
    /// claim the committee left unresolved) and is inside the appeal window, once; marks it.
    function _recordAppeal(bytes32 claimId, bool allowTimedOut) private returns (Claim storage claim) {
        claim = _existing(claimId);
        address loser;
        if (claim.status == ClaimStatus.Upheld) loser = claim.challenger;
        else if (claim.status == ClaimStatus.Refuted) loser = claim.operator;
        else if (allowTimedOut && claim.status == ClaimStatus.TimedOut) loser = claim.challenger;
        else revert WrongClaimStatus(claimId, claim.status);
        if (msg.sender != loser) revert NotDisputant(msg.sender);
        uint64 deadline = claim.decidedAt + appealWindow;
        // challenge and appeal windows last hours; seconds of proposer leeway cannot close one early
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp > deadline) revert AppealWindowClosed(claimId, deadline);
        if (claim.escalated) revert AlreadyEscalated(claimId);
        claim.escalated = true;
    }

    function _existing(bytes32 claimId) private view returns (Claim storage claim) {
        claim = _claims[claimId];
        if (claim.status == ClaimStatus.None) revert UnknownClaim(claimId);
    }

    /// @dev Slashes `slashWad` of the operator's allocation in every strategy of the inference set and opens
    /// one VictimPayout payout per slashed strategy for the app (and the challenger's reward).
    function _slashAndCompensate(bytes32 claimId, Claim storage claim) private returns (uint256 payouts) {
        CoreOperatorSet memory set = CoreOperatorSet(inferenceAvs, inferenceSetId);
        IStrategy[] memory strategies = _sorted(allocationManager.getStrategiesInOperatorSet(set));
        uint256[] memory wads = new uint256[](strategies.length);
        for (uint256 i = 0; i < wads.length; ++i) {
            wads[i] = slashWad;
        }
        (uint256 slashId, uint256[] memory shares) = allocationManager.slashOperator(
            inferenceAvs,
            IAllocationManagerTypes.SlashingParams({
                operator: claim.operator,
                operatorSetId: inferenceSetId,
                strategies: strategies,
                wadsToSlash: wads,
                description: "vcloud inference: claimed receipt refuted by the re-execution committee"
            })
        );
        claim.slashId = slashId;
        for (uint256 i = 0; i < strategies.length; ++i) {
            uint256 amount = strategies[i].sharesToUnderlyingView(shares[i]);
            if (amount == 0) continue;
            _openPayout(claimId, claim, strategies[i].underlyingToken(), amount);
            ++payouts;
        }
    }

    function _openPayout(bytes32 claimId, Claim storage claim, IERC20 token, uint256 amount) private {
        uint256 toChallenger = (amount * challengerRewardBps) / BPS;
        uint256 toApp = amount - toChallenger;
        if (claim.challenger == claim.app) (toApp, toChallenger) = (amount, 0);
        uint256 count = (toApp != 0 ? 1 : 0) + (toChallenger != 0 ? 1 : 0);
        address[] memory victims = new address[](count);
        uint256[] memory owed = new uint256[](count);
        uint256 k = 0;
        if (toApp != 0) (victims[k], owed[k++]) = (claim.app, toApp);
        if (toChallenger != 0) (victims[k], owed[k]) = (claim.challenger, toChallenger);
        uint256 payoutId = victimPayout.createPayout(token, victims, owed, "vcloud inference: refuted claim");
        emit CompensationOpened(claimId, payoutId, address(token), toApp, toChallenger);
    }

    /// @dev The AllocationManager requires strictly ascending strategies.
    function _sorted(IStrategy[] memory strategies) private pure returns (IStrategy[] memory) {
        for (uint256 i = 1; i < strategies.length; ++i) {
            IStrategy next = strategies[i];
            uint256 j = i;
            while (j > 0 && address(strategies[j - 1]) > address(next)) {
                strategies[j] = strategies[j - 1];
                --j;
            }
            strategies[j] = next;
        }
        return strategies;
    }
}
