// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBLSAVSRegistrar} from "./IBLSAVSRegistrar.sol";
import {IBLSSignatureChecker} from "./IBLSSignatureChecker.sol";
import {IDAFeeDistributor} from "./IDAFeeDistributor.sol";

/// @title IBlobCertificateRegistry
/// @notice The DA AVS's on-chain side: availability certificates for encoded payloads, signed by DA
/// operators holding enough unique stake, paid per byte and period, valid until their expiry, and
/// backed by availability challenges that slash a signer who cannot produce the data it vouched for.
interface IBlobCertificateRegistry {
    /// @notice What a certificate vouches for. `commitmentsRoot` is the root of an OpenZeppelin
    /// StandardMerkleTree over leaves (uint32 blobIndex, bytes commitment) of the payload's blobs.
    struct BlobHeader {
        bytes32 commitmentsRoot;
        uint64 payloadLength;
        uint32 blobCount;
        uint16 codingRatio;
        uint64 expiry;
        address payer;
        bytes32 nonce;
    }

    /// @notice A confirmed certificate.
    struct Certificate {
        bytes32 commitmentsRoot;
        uint32 blobCount;
        uint32 referenceBlock;
        uint64 confirmedAt;
        uint64 expiry;
        uint128 signedStake;
        uint128 totalStake;
        bytes32 signatoryRecordHash;
    }

    /// @notice An availability challenge against one signer of one certificate.
    struct Challenge {
        bytes32 certificateId;
        address operator;
        address challenger;
        uint32 blobIndex;
        uint32 elementIndex;
        uint64 deadline;
        uint96 bond;
        ChallengeStatus status;
    }

    enum ChallengeStatus {
        None,
        Open,
        Answered,
        Slashed
    }

    /// @notice Thrown when governance withdraws more undistributed operator fees than the registry holds.
    error InsufficientOperatorFees(uint256 amount, uint256 available);
    /// @notice Thrown when the certificate was already confirmed (replay).
    error CertificateAlreadyConfirmed(bytes32 certificateId);
    /// @notice Thrown when the header's expiry is not in the future or beyond the maximum TTL.
    error InvalidExpiry(uint64 expiry, uint256 maxExpiry);
    /// @notice Thrown when the header is malformed (zero length, no blobs, unsupported ratio).
    error InvalidBlobHeader();
    /// @notice Thrown when the reference block is older than allowed.
    error StaleReferenceBlock(uint32 referenceBlock, uint256 currentBlock);
    /// @notice Thrown when the signed stake is below the confirmation threshold.
    error InsufficientSignedStake(uint256 signedStake, uint256 totalStake, uint16 thresholdBps);
    /// @notice Thrown when the payment is below the fee.
    error InsufficientFee(uint256 paid, uint256 fee);
    /// @notice Thrown when thresholds are out of range (adversary < confirmation <= 100%).
    error InvalidThresholds(uint16 confirmationBps, uint16 adversaryBps);
    /// @notice Thrown when a fee parameter is out of range.
    error InvalidFeeParameters();
    /// @notice Thrown when the certificate does not exist or has expired.
    error CertificateNotAvailable(bytes32 certificateId);
    /// @notice Thrown when the non-signer list does not hash to the certificate's signatory record.
    error SignatoryRecordMismatch(bytes32 certificateId);
    /// @notice Thrown when the challenged operator did not sign (it is a non-signer or not a member).
    error OperatorDidNotSign(address operator);
    /// @notice Thrown when the challenge bond is below the minimum.
    error InsufficientBond(uint256 bond, uint256 minimum);
    /// @notice Thrown when the blob or element index is out of range.
    error IndexOutOfRange(uint32 blobIndex, uint32 elementIndex);
    /// @notice Thrown when acting on a challenge in the wrong status.
    error ChallengeNotOpen(uint256 challengeId);
    /// @notice Thrown when slashing before the response deadline has passed.
    error ResponseWindowOpen(uint256 challengeId, uint64 deadline);
    /// @notice Thrown when answering after the deadline.
    error ResponseWindowClosed(uint256 challengeId, uint64 deadline);
    /// @notice Thrown when the commitment is not in the certificate's commitments root.
    error InvalidCommitmentProof();
    /// @notice Thrown when the KZG point-evaluation proof does not verify.
    error InvalidEvaluationProof();

    /// @notice Emitted when a certificate is confirmed, by whatever path (a direct call, a contract, a
    /// multicall). `nonSignerPubkeyHashes` are the non-signers' key hashes in the checker's (ascending)
    /// order: with `referenceBlock` they reproduce the certificate's signatory record, which is what
    /// `challengeAvailability` needs, so a keeper learns every certificate's signers from this event alone.
    event BlobConfirmed(
        bytes32 indexed certificateId,
        address indexed payer,
        uint32 referenceBlock,
        uint64 expiry,
        uint256 signedStake,
        uint256 totalStake,
        uint256 fee,
        bytes32[] nonSignerPubkeyHashes
    );
    /// @notice Emitted when a challenge is opened.
    event AvailabilityChallenged(
        uint256 indexed challengeId,
        bytes32 indexed certificateId,
        address indexed operator,
        uint32 blobIndex,
        uint32 elementIndex,
        uint64 deadline
    );
    /// @notice Emitted when a challenge is answered with a valid evaluation proof.
    event ChallengeAnswered(uint256 indexed challengeId, bytes32 value);
    /// @notice Emitted when an unanswered challenge is closed against the operator (`slashId` 0: it was no
    /// longer slashable).
    event OperatorSlashedForUnavailability(uint256 indexed challengeId, address indexed operator, uint256 slashId);
    /// @notice Emitted when governance changes the thresholds.
    event ThresholdsSet(uint16 confirmationBps, uint16 adversaryBps);
    /// @notice Emitted when governance points the operators' share of fees at a distributor (zero: none).
    event FeeDistributorSet(address indexed feeDistributor);
    /// @notice Emitted when governance changes the fees.
    event FeesSet(uint256 feePerBytePeriod, uint64 periodSeconds, uint16 protocolFeeBps, address feeJar);

    /// @notice Confirms a certificate: checks the operators' aggregate signature over
    /// `certificateMessage(id, referenceBlock)`, the confirmation threshold and the fee (excess refunded).
    function confirmBlob(
        BlobHeader calldata header,
        uint32 referenceBlock,
        IBLSSignatureChecker.NonSignerStakesAndSignature calldata signature
    ) external payable returns (bytes32 certificateId);

    /// @notice Opens an availability challenge against `operator`, a signer of the certificate, for one
    /// element of one blob; `nonSignerPubkeyHashes` must reproduce the certificate's signatory record.
    function challengeAvailability(
        bytes32 certificateId,
        address operator,
        uint32 blobIndex,
        uint32 elementIndex,
        bytes32[] calldata nonSignerPubkeyHashes
    ) external payable returns (uint256 challengeId);

    /// @notice Answers a challenge (anyone may, e.g. the operator after retrieving the blob): the blob's
    /// commitment with its Merkle proof, the element's value and a KZG proof for it.
    function respondToChallenge(
        uint256 challengeId,
        bytes calldata commitment,
        bytes32[] calldata commitmentProof,
        bytes32 value,
        bytes calldata kzgProof
    ) external;

    /// @notice Slashes the operator of an unanswered challenge after its deadline and returns the bond to the
    /// challenger. An operator no longer slashable in the DA set (it left more than the deallocation delay
    /// ago) is not slashed: the challenge still closes, with slash id 0, and the bond still goes back.
    function slashUnresponsive(uint256 challengeId) external returns (uint256 slashId);

    /// @notice The 32-byte message operators sign for a certificate.
    function certificateMessage(bytes32 certificateId, uint32 referenceBlock) external view returns (bytes32);

    /// @notice keccak256 of the ABI-encoded header: the certificate id.
    function certificateId(BlobHeader calldata header) external pure returns (bytes32);

    /// @notice The stored certificate (zeroed if unknown).
    function getCertificate(bytes32 certificateId) external view returns (Certificate memory);

    /// @notice Whether the certificate is confirmed and not expired.
    function isAvailable(bytes32 certificateId) external view returns (bool);

    /// @notice The fee for storing `payloadLength` bytes until `expiry`.
    function quoteFee(uint64 payloadLength, uint64 expiry) external view returns (uint256);

    /// @notice The evaluation point of blob element `index` (EIP-4844 bit-reversed roots of unity).
    function evaluationPoint(uint32 index) external pure returns (bytes32);

    /// @notice Sends the operators' share of every later certificate's fee to `distributor`, which pays it
    /// to the certificate's signers (zero: the share accrues to `operatorFees`). Only governance.
    function setFeeDistributor(IDAFeeDistributor distributor) external;

    /// @notice Where the operators' share of fees goes (zero: none set).
    function feeDistributor() external view returns (IDAFeeDistributor);

    /// @notice The registrar holding the DA set's keys and weights.
    function registrar() external view returns (IBLSAVSRegistrar);
}
