// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBLSSignatureChecker} from "./IBLSSignatureChecker.sol";
import {IVerificationSource} from "./IVerificationSource.sol";

/// @title Types of vcloud's inference claim AVS.
interface IInferenceClaimsTypes {
    /// @notice Lifecycle of a claim. Posted: inside its challenge window. Challenged: waiting for the
    /// re-execution committee. Upheld: the committee certified the claimed receipt. Refuted: the committee
    /// certified another receipt and the operator was slashed. TimedOut: the committee did not certify
    /// anything before the challenge's resolution deadline; the challenger's bond was returned, nobody was
    /// slashed or paid, and the claim never reads Verified (see `resolveTimedOut`). (Unchallenged after the
    /// window reads as Verified through `verificationOutcome` without a transaction.)
    enum ClaimStatus {
        None,
        Posted,
        Challenged,
        Upheld,
        Refuted,
        TimedOut
    }

    /// @notice What an operator posts.
    struct ClaimInput {
        /// @dev The app (requester) that paid for the inference; the victim if the claim is wrong.
        address app;
        /// @dev keccak256 of the model file (the receipt's model hash).
        bytes32 modelHash;
        /// @dev The receipt's prompt hash.
        bytes32 promptHash;
        /// @dev DA certificate id of the blob holding prompt and output; must be available on the configured
        /// DA registry (`IBlobCertificateRegistry.isAvailable`) when the claim is posted, unless none is set.
        bytes32 daCertificateId;
        /// @dev `receiptHash` of the engine receipt (docs/ai.md, EIP-712 InferenceReceipt).
        bytes32 receiptHash;
        /// @dev Fee the app paid for the inference (wei), as the operator states it: recorded (storage and
        /// `ClaimPosted`), not escrowed. The operator posts the claim, not the app, so the app pays the operator
        /// off-chain; escrowing it would need the app as the poster. Compensation for a refuted claim comes
        /// from the operator's slashed stake, not from this fee.
        uint256 fee;
    }

    /// @notice A posted claim and its challenge, if any.
    struct Claim {
        address operator;
        address app;
        bytes32 modelHash;
        bytes32 promptHash;
        bytes32 daCertificateId;
        bytes32 receiptHash;
        uint256 fee;
        uint64 postedAt;
        uint64 challengeDeadline;
        uint64 decidedAt;
        ClaimStatus status;
        bool escalated;
        address challenger;
        uint96 bond;
        /// @dev The receipt hash the challenger says is correct (0: not given).
        bytes32 challengerReceiptHash;
        uint32 firstDivergentStep;
        /// @dev DA certificate id of the challenger's evidence (its receipt and per-step logits).
        bytes32 evidenceCertificateId;
        /// @dev The receipt hash the committee certified.
        bytes32 certifiedReceiptHash;
        /// @dev The AllocationManager slash id (Refuted only).
        uint256 slashId;
        /// @dev Last second at which the committee may resolve the challenge (challenge time +
        /// `resolutionTimeout`); after it only `resolveTimedOut` settles the claim (0 until challenged).
        uint64 resolutionDeadline;
    }
}

/// @title IInferenceClaimsErrors
interface IInferenceClaimsErrors {
    /// @notice Thrown when a deployment parameter breaks its rule (`name` says which).
    error InvalidParameter(string name);
    /// @notice Thrown when the poster is not a member of the inference operator set.
    error NotInferenceOperator(address operator);
    /// @notice Thrown when a claim input field is zero (`field` says which).
    error ZeroClaimField(string field);
    /// @notice Thrown when `postClaim`'s DA certificate is unknown to the DA registry or has expired
    /// (`IBlobCertificateRegistry.isAvailable` is false).
    error CertificateNotAvailable(bytes32 certificateId);
    /// @notice Thrown when the same claim (same operator and input) is posted twice.
    error ClaimAlreadyPosted(bytes32 claimId);
    /// @notice Thrown when a claim id is unknown.
    error UnknownClaim(bytes32 claimId);
    /// @notice Thrown when a claim is not in the status the action needs.
    error WrongClaimStatus(bytes32 claimId, IInferenceClaimsTypes.ClaimStatus status);
    /// @notice Thrown when a challenge comes after the claim's window closed.
    error ChallengeWindowClosed(bytes32 claimId, uint64 deadline);
    /// @notice Thrown when the challenge bond is below the minimum.
    error InsufficientBond(uint256 sent, uint256 required);
    /// @notice Thrown when the challenger's receipt hash equals the claimed one.
    error ChallengerReceiptEqualsClaim(bytes32 receiptHash);
    /// @notice Thrown when a challenge names no evidence certificate.
    error MissingEvidence();
    /// @notice Thrown when a committee certificate's reference block is too old.
    error StaleReferenceBlock(uint32 referenceBlock, uint256 currentBlock);
    /// @notice Thrown when the reference block is not before the claim's challenge (the committee must sign
    /// with stakes fixed after the challenge was filed).
    error ReferenceBlockBeforeChallenge(uint32 referenceBlock, uint256 challengeBlock);
    /// @notice Thrown when the committee's signed stake is below the threshold.
    error InsufficientCommitteeStake(uint256 signedStake, uint256 totalStake, uint16 thresholdBps);
    /// @notice Thrown when the committee certifies a zero receipt hash.
    error ZeroCertifiedReceipt();
    /// @notice Thrown when the caller may not escalate the claim (not the losing disputant, or not the
    /// challenger of a TimedOut claim).
    error NotDisputant(address caller);
    /// @notice Thrown when a decision is escalated after the appeal window.
    error AppealWindowClosed(bytes32 claimId, uint64 deadline);
    /// @notice Thrown when a claim is escalated twice.
    error AlreadyEscalated(bytes32 claimId);
    /// @notice Thrown when fork escalation is used on a deployment without a fork registry.
    error ForkEscalationDisabled();
    /// @notice Thrown when a fork-commitment redemption names a claim that was not escalated to a fork challenge.
    error NotEscalatedToFork(bytes32 claimId);
    /// @notice Thrown when a fork-commitment redemption names a fork of another challenge.
    error ForkOfAnotherChallenge(uint256 forkId, uint256 forkChallengeId, uint256 claimForkChallengeId);
    /// @notice Thrown when a claim's fork commitment is redeemed twice.
    error ForkCommitmentAlreadyRedeemed(bytes32 claimId);
    /// @notice Thrown when a committee certificate arrives after the challenge's resolution deadline.
    error ResolutionDeadlinePassed(bytes32 claimId, uint64 deadline);
    /// @notice Thrown when `resolveTimedOut` is called at or before the challenge's resolution deadline.
    error ResolutionDeadlineNotReached(bytes32 claimId, uint64 deadline);
}

/// @title IInferenceClaimsEvents
interface IInferenceClaimsEvents {
    /// @notice Emitted when an operator posts a claim.
    event ClaimPosted(
        bytes32 indexed claimId,
        address indexed operator,
        address indexed app,
        bytes32 modelHash,
        bytes32 promptHash,
        bytes32 daCertificateId,
        bytes32 receiptHash,
        uint256 fee,
        uint64 challengeDeadline
    );
    /// @notice Emitted when a claim is challenged.
    event ClaimChallenged(
        bytes32 indexed claimId,
        address indexed challenger,
        bytes32 challengerReceiptHash,
        uint32 firstDivergentStep,
        bytes32 evidenceCertificateId,
        uint256 bond
    );
    /// @notice Emitted when the committee certified the claimed receipt: the challenger lost its bond.
    event ClaimUpheld(bytes32 indexed claimId, address indexed challenger, uint256 bondToOperator);
    /// @notice Emitted when the committee certified another receipt: the operator was slashed.
    event ClaimRefuted(
        bytes32 indexed claimId,
        address indexed operator,
        bytes32 certifiedReceiptHash,
        uint256 slashId,
        uint256 payoutCount
    );
    /// @notice Emitted when a VictimPayout payout is opened for a refuted claim.
    event CompensationOpened(
        bytes32 indexed claimId,
        uint256 indexed payoutId,
        address token,
        uint256 owedToApp,
        uint256 owedToChallenger
    );
    /// @notice Emitted when a challenge is closed because the committee did not resolve it in time: the
    /// challenger's bond was returned and nobody was slashed.
    event ChallengeTimedOut(bytes32 indexed claimId, address indexed challenger, uint256 bondReturned);
    /// @notice Emitted when a disputant escalates a committee decision (the committee itself is accused).
    event ClaimEscalated(bytes32 indexed claimId, address indexed by, bytes32 certifiedReceiptHash);
    /// @notice Emitted when an appeal opens an EIGEN fork challenge against the committee.
    event ClaimForkChallengeOpened(
        bytes32 indexed claimId,
        address indexed appellant,
        uint256 indexed forkChallengeId,
        uint256 commitment,
        address[] accused
    );
    /// @notice Emitted when the appellant's fork commitment and reward are redeemed on the fork and passed on.
    event ForkCommitmentRedeemed(bytes32 indexed claimId, address indexed appellant, uint256 forkId, uint256 amount);
}

/// @title IInferenceClaims
/// @notice Inference claims of vcloud's inference AVS: operators post receipt hashes of deterministic
/// inference runs; anyone may challenge inside the window with a bond; the verification operator set's
/// stake-weighted BLS certificate of the correct receipt hash settles the challenge; a wrong claim slashes
/// the operator through the redistributing inference set, compensating the app (and rewarding the challenger).
interface IInferenceClaims is
    IInferenceClaimsTypes,
    IInferenceClaimsErrors,
    IInferenceClaimsEvents,
    IVerificationSource
{
    /// @notice Posts a claim. Only a member of the inference operator set. With a DA registry configured
    /// (`daRegistry`), the claim's `daCertificateId` must be confirmed and unexpired there
    /// (`CertificateNotAvailable` otherwise), so a claim cannot point challengers at data that is not on DA.
    /// @param input The claim: app, model, prompt, DA certificate, receipt hash and fee (see `ClaimInput`).
    /// @return claimId keccak256(abi.encode(msg.sender, input)).
    function postClaim(ClaimInput calldata input) external returns (bytes32 claimId);

    /// @notice Challenges a claim inside its window, escrowing `msg.value` as the bond.
    /// @param correctReceiptHash The receipt hash the challenger computed (0 if it does not say).
    /// @param firstDivergentStep The first decoding step whose logits differ.
    /// @param evidenceCertificateId DA certificate id of the challenger's receipt and logits; with a DA
    /// registry configured it must be confirmed and unexpired there (`CertificateNotAvailable` otherwise), so
    /// the committee and the operator can read the evidence the challenge rests on.
    function challenge(
        bytes32 claimId,
        bytes32 correctReceiptHash,
        uint32 firstDivergentStep,
        bytes32 evidenceCertificateId
    ) external payable;

    /// @notice Settles a challenge with the re-execution committee's certificate over
    /// `committeeMessage(claimId, certifiedReceiptHash)`. Anyone may submit it.
    function resolve(
        bytes32 claimId,
        bytes32 certifiedReceiptHash,
        uint32 referenceBlock,
        IBLSSignatureChecker.NonSignerStakesAndSignature calldata signature
    ) external;

    /// @notice Closes a challenge the re-execution committee did not resolve by its deadline. Anyone may call
    /// it once `block.timestamp > resolutionDeadline`; `resolve` is accepted only while
    /// `block.timestamp <= resolutionDeadline`, so exactly one of the two can settle a claim at any time.
    /// Rule (neutral, so that neither disputant gains by stalling the committee): the challenger gets exactly
    /// its bond back and no reward; the operator is neither slashed nor paid; the claim becomes TimedOut and
    /// its verification outcome stays Pending forever (never Verified, never Refuted), so the ERC-8004
    /// validator never answers for it. An operator that makes its claim unreplayable (e.g. an unreadable DA
    /// payload the committee refuses to sign) or that hopes for committee silence gains no Verified outcome;
    /// a challenger that hopes for silence gains nothing beyond its own bond, while against a live committee
    /// a frivolous challenge still costs the bond. Committee silence is a liveness failure of the
    /// verification set, not proof against either disputant; inside the appeal window after this call the
    /// challenger may accuse the silent committee members through `escalateToFork`.
    function resolveTimedOut(bytes32 claimId) external;

    /// @notice Records an appeal of a committee decision by the losing disputant, inside the appeal window,
    /// without opening a fork challenge (see `escalateToFork`).
    function escalate(bytes32 claimId) external;

    /// @notice Appeals a committee decision by accusing the committee itself: records the appeal (as
    /// `escalate`) and opens an EIGEN fork challenge on the ForkChallengeManager through this contract. The
    /// losing disputant pays the commitment: this contract pulls `requiredCommitment()` canonical bEIGEN from
    /// the caller (approved to this contract beforehand) and the manager burns it. This contract is the fork
    /// challenge's recorded challenger; `redeemForkCommitment` passes the commitment and reward on the fork to
    /// the appellant. A `TimedOut` claim may be escalated too, by its challenger only, inside the appeal
    /// window after `resolveTimedOut` (`decidedAt + appealWindow`): committee silence is an intersubjective
    /// liveness fault, so the challenger accuses the members that did not sign (the fork evidence hash then
    /// commits to a zero certified receipt hash). `escalate` stays limited to Upheld and Refuted claims.
    /// @param accused The committee operators accused (strictly ascending), e.g. those that signed (or, for a
    /// TimedOut claim, those that stayed silent).
    /// @param evidencePointer Where the evidence lives (e.g. the DA certificate id of the appellant's receipt).
    /// @return forkChallengeId The ForkChallengeManager's challenge id.
    function escalateToFork(
        bytes32 claimId,
        address[] calldata accused,
        bytes calldata evidencePointer
    ) external returns (uint256 forkChallengeId);

    /// @notice Redeems the commitment and reward of a claim's fork challenge on fork `forkId` (a fork the
    /// canonical fork registry registered for that challenge) and transfers the fork tokens to the appellant.
    /// Anyone may call it.
    function redeemForkCommitment(bytes32 claimId, uint256 forkId) external returns (uint256 amount);

    /// @notice The fork challenge a claim was escalated to (0 if none), its appellant and whether its
    /// commitment was redeemed.
    function forkEscalation(
        bytes32 claimId
    ) external view returns (uint256 forkChallengeId, address appellant, bool redeemed);

    /// @notice The hash a claim's fork challenge commits to as its evidence:
    /// keccak256(abi.encode(domain(), claimId, receiptHash, certifiedReceiptHash, challengerReceiptHash)).
    function forkEvidenceHash(bytes32 claimId) external view returns (bytes32);

    /// @notice The message the committee signs: keccak256(abi.encode(domain(), claimId, receiptHash)).
    function committeeMessage(bytes32 claimId, bytes32 receiptHash) external view returns (bytes32);

    /// @notice The domain separator: keccak256(abi.encode(label, chainid, this)).
    function domain() external view returns (bytes32);

    /// @notice The claim with this id.
    function getClaim(bytes32 claimId) external view returns (Claim memory);
}
