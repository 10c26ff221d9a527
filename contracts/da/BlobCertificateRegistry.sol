// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable2Step, Ownable} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IAllocationManager, IAllocationManagerTypes} from "../interfaces/IAllocationManager.sol";
import {IBlobCertificateRegistry} from "../interfaces/IBlobCertificateRegistry.sol";
import {IDAFeeDistributor} from "../interfaces/IDAFeeDistributor.sol";
import {IBLSAVSRegistrar} from "../interfaces/IBLSAVSRegistrar.sol";
import {IBLSApkRegistry} from "../interfaces/IBLSApkRegistry.sol";
import {IBLSSignatureChecker} from "../interfaces/IBLSSignatureChecker.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {OperatorSet} from "../libraries/OperatorSetLib.sol";
import {BLS12381} from "../bls/BLS12381.sol";
import {BlobElements} from "./BlobElements.sol";

/// @title BlobCertificateRegistry
/// @notice Availability certificates of vcloud's DA AVS. A certificate is confirmed when DA operators
/// holding at least the confirmation threshold of the set's unique stake signed it at a recent
/// reference block. It lives until the payload's expiry. Any signer can be challenged to produce one
/// element of the data with a KZG proof (EIP-4844 point evaluation); a signer that cannot, within the
/// response window, is slashed through the DA operator set (this contract is the set's slasher).
contract BlobCertificateRegistry is IBlobCertificateRegistry, Ownable2Step, ReentrancyGuard {
    uint256 internal constant BPS = 10_000;
    bytes32 internal constant CERTIFICATE_DOMAIN = keccak256("vcloud.BlobCertificateRegistry.certificate");

    /// @inheritdoc IBlobCertificateRegistry
    IBLSAVSRegistrar public immutable registrar;
    /// @notice Oldest reference block accepted, in blocks before the confirming block.
    uint32 public immutable maxReferenceAge;
    /// @notice Longest storage period a certificate may buy.
    uint64 public immutable maxTtl;
    /// @notice Time a challenged signer has to answer.
    uint64 public immutable responseWindow;
    /// @notice Minimum challenger bond (wei), forfeited to the operator if the challenge is answered.
    uint96 public immutable minChallengeBond;
    /// @notice Fraction (WAD) of the operator's allocation slashed for an unanswered challenge.
    uint256 public immutable unavailabilitySlashWad;

    /// @notice Share of signed stake (bps) needed to confirm.
    uint16 public confirmationThresholdBps;
    /// @notice Share of stake (bps) assumed adversarial; the encoding must survive its loss.
    uint16 public adversaryThresholdBps;
    /// @notice Price per byte per storage period (wei).
    uint256 public feePerBytePeriod;
    /// @notice Length of a storage period (seconds).
    uint64 public periodSeconds;
    /// @notice Share of fees (bps) sent to the fee jar; the rest goes to the signers (via `feeDistributor`).
    uint16 public protocolFeeBps;
    /// @notice Where the protocol share of fees goes.
    address public feeJar;
    /// @inheritdoc IBlobCertificateRegistry
    IDAFeeDistributor public feeDistributor;
    /// @notice Operators' share of fees paid while no distributor was set: nobody can tell it to signers
    /// on-chain, so governance may withdraw it (`withdrawOperatorFees`).
    uint256 public operatorFees;

    mapping(bytes32 certificateId => Certificate) private _certificates;
    mapping(uint256 challengeId => Challenge) private _challenges;
    uint256 public challengeCount;

    /// @notice Deployment parameters.
    struct Config {
        IBLSAVSRegistrar registrar;
        address governance;
        uint16 confirmationThresholdBps;
        uint16 adversaryThresholdBps;
        uint32 maxReferenceAge;
        uint64 maxTtl;
        uint64 responseWindow;
        uint96 minChallengeBond;
        uint256 unavailabilitySlashWad;
        uint256 feePerBytePeriod;
        uint64 periodSeconds;
        uint16 protocolFeeBps;
        address feeJar;
    }

    constructor(Config memory config) Ownable(config.governance) {
        registrar = config.registrar;
        maxReferenceAge = config.maxReferenceAge;
        maxTtl = config.maxTtl;
        responseWindow = config.responseWindow;
        minChallengeBond = config.minChallengeBond;
        if (config.unavailabilitySlashWad == 0 || config.unavailabilitySlashWad > 1e18) revert InvalidFeeParameters();
        unavailabilitySlashWad = config.unavailabilitySlashWad;
        _setThresholds(config.confirmationThresholdBps, config.adversaryThresholdBps);
        _setFees(config.feePerBytePeriod, config.periodSeconds, config.protocolFeeBps, config.feeJar);
    }

    // Certificates ----------------------------------------------------------------------------------

    /// @inheritdoc IBlobCertificateRegistry
    function confirmBlob(
        BlobHeader calldata header,
        uint32 referenceBlock,
        IBLSSignatureChecker.NonSignerStakesAndSignature calldata signature
    ) external payable nonReentrant returns (bytes32 id) {
        _checkHeader(header, referenceBlock);
        id = keccak256(abi.encode(header));
        if (_certificates[id].confirmedAt != 0) revert CertificateAlreadyConfirmed(id);
        uint256 fee = quoteFee(header.payloadLength, header.expiry);
        if (msg.value < fee) revert InsufficientFee(msg.value, fee);

        (IBLSSignatureChecker.StakeTotals memory totals, bytes32 record) = registrar.signatureChecker().checkSignatures(
            certificateMessage(id, referenceBlock),
            referenceBlock,
            signature
        );
        if (totals.signedStake * BPS < totals.totalStake * confirmationThresholdBps) {
            revert InsufficientSignedStake(totals.signedStake, totals.totalStake, confirmationThresholdBps);
        }

        _certificates[id] = Certificate({
            commitmentsRoot: header.commitmentsRoot,
            blobCount: header.blobCount,
            referenceBlock: referenceBlock,
            // blob expiry is days and the response window hours; seconds of proposer leeway cannot matter
            // solhint-disable-next-line not-rely-on-time
            confirmedAt: uint64(block.timestamp),
            expiry: header.expiry,
            signedStake: uint128(totals.signedStake),
            totalStake: uint128(totals.totalStake),
            signatoryRecordHash: record
        });
        emit BlobConfirmed(
            id,
            header.payer,
            referenceBlock,
            header.expiry,
            totals.signedStake,
            totals.totalStake,
            fee,
            _pubkeyHashes(signature.nonSignerPubkeys)
        );

        _payFee(id, fee);
        if (msg.value > fee) Address.sendValue(payable(msg.sender), msg.value - fee);
    }

    /// @dev Splits a certificate's fee: the protocol share to the fee jar, the rest to the distributor for the
    /// certificate's signers (or, with none set, into `operatorFees`).
    function _payFee(bytes32 id, uint256 fee) private {
        uint256 protocolShare = (fee * protocolFeeBps) / BPS;
        uint256 signersShare = fee - protocolShare;
        IDAFeeDistributor distributor = feeDistributor;
        if (address(distributor) == address(0)) operatorFees += signersShare;
        if (protocolShare != 0) Address.sendValue(payable(feeJar), protocolShare);
        if (signersShare != 0 && address(distributor) != address(0)) distributor.accrue{value: signersShare}(id);
    }

    /// @dev A header the registry can hold: non-empty, a supported ratio, an expiry within the maximum TTL,
    /// and a reference block recent enough for its stake table to matter.
    function _checkHeader(BlobHeader calldata header, uint32 referenceBlock) private view {
        if (header.payloadLength == 0 || header.blobCount == 0 || !_supportedRatio(header.codingRatio)) {
            revert InvalidBlobHeader();
        }
        // blob expiry is days and the response window hours; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        uint256 latestExpiry = block.timestamp + maxTtl;
        // blob expiry is days and the response window hours; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (header.expiry <= block.timestamp || header.expiry > latestExpiry) {
            revert InvalidExpiry(header.expiry, latestExpiry);
        }
        if (referenceBlock + uint256(maxReferenceAge) < block.number) {
            revert StaleReferenceBlock(referenceBlock, block.number);
        }
    }

    /// @inheritdoc IBlobCertificateRegistry
    function certificateMessage(bytes32 id, uint32 referenceBlock) public view returns (bytes32) {
        return keccak256(abi.encode(CERTIFICATE_DOMAIN, block.chainid, address(this), id, referenceBlock));
    }

    /// @inheritdoc IBlobCertificateRegistry
    function certificateId(BlobHeader calldata header) external pure returns (bytes32) {
        return keccak256(abi.encode(header));
    }

    /// @inheritdoc IBlobCertificateRegistry
    function getCertificate(bytes32 id) external view returns (Certificate memory) {
        return _certificates[id];
    }

    /// @inheritdoc IBlobCertificateRegistry
    function isAvailable(bytes32 id) public view returns (bool) {
        Certificate storage cert = _certificates[id];
        // blob expiry is days and the response window hours; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        return cert.confirmedAt != 0 && block.timestamp < cert.expiry;
    }

    /// @inheritdoc IBlobCertificateRegistry
    function quoteFee(uint64 payloadLength, uint64 expiry) public view returns (uint256) {
        // blob expiry is days and the response window hours; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (expiry <= block.timestamp) return 0;
        // blob expiry is days and the response window hours; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        uint256 periods = (expiry - block.timestamp + periodSeconds - 1) / periodSeconds;
        return uint256(payloadLength) * periods * feePerBytePeriod;
    }

    // Availability challenges -----------------------------------------------------------------------

    /// @inheritdoc IBlobCertificateRegistry
    function challengeAvailability(
        bytes32 id,
        address operator,
        uint32 blobIndex,
        uint32 elementIndex,
        bytes32[] calldata nonSignerPubkeyHashes
    ) external payable returns (uint256 challengeId) {
        Certificate storage cert = _certificates[id];
        if (!isAvailable(id)) revert CertificateNotAvailable(id);
        if (msg.value < minChallengeBond) revert InsufficientBond(msg.value, minChallengeBond);
        if (blobIndex >= cert.blobCount || elementIndex >= BlobElements.FIELD_ELEMENTS_PER_BLOB) {
            revert IndexOutOfRange(blobIndex, elementIndex);
        }
        if (keccak256(abi.encodePacked(cert.referenceBlock, nonSignerPubkeyHashes)) != cert.signatoryRecordHash) {
            revert SignatoryRecordMismatch(id);
        }
        IBLSApkRegistry keys = registrar.apkRegistry();
        if (!keys.wasMemberAt(operator, cert.referenceBlock)) revert OperatorDidNotSign(operator);
        (, bytes32 operatorKeyHash) = keys.getRegisteredPubkey(operator);
        for (uint256 i = 0; i < nonSignerPubkeyHashes.length; ++i) {
            if (nonSignerPubkeyHashes[i] == operatorKeyHash) revert OperatorDidNotSign(operator);
        }

        challengeId = ++challengeCount;
        // blob expiry is days and the response window hours; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        uint64 deadline = uint64(block.timestamp) + responseWindow;
        _challenges[challengeId] = Challenge({
            certificateId: id,
            operator: operator,
            challenger: msg.sender,
            blobIndex: blobIndex,
            elementIndex: elementIndex,
            deadline: deadline,
            bond: uint96(msg.value),
            status: ChallengeStatus.Open
        });
        emit AvailabilityChallenged(challengeId, id, operator, blobIndex, elementIndex, deadline);
    }

    /// @inheritdoc IBlobCertificateRegistry
    function respondToChallenge(
        uint256 challengeId,
        bytes calldata commitment,
        bytes32[] calldata commitmentProof,
        bytes32 value,
        bytes calldata kzgProof
    ) external nonReentrant {
        Challenge storage challenge = _challenges[challengeId];
        if (challenge.status != ChallengeStatus.Open) revert ChallengeNotOpen(challengeId);
        // blob expiry is days and the response window hours; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp > challenge.deadline) revert ResponseWindowClosed(challengeId, challenge.deadline);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(challenge.blobIndex, commitment))));
        if (
            !MerkleProof.verifyCalldata(commitmentProof, _certificates[challenge.certificateId].commitmentsRoot, leaf)
        ) {
            revert InvalidCommitmentProof();
        }
        if (!BlobElements.isElement(commitment, challenge.elementIndex, uint256(value), kzgProof)) {
            revert InvalidEvaluationProof();
        }
        challenge.status = ChallengeStatus.Answered;
        uint256 bond = challenge.bond;
        address operator = challenge.operator;
        emit ChallengeAnswered(challengeId, value);
        // A frivolous challenge pays the operator for its trouble.
        Address.sendValue(payable(operator), bond);
    }

    /// @inheritdoc IBlobCertificateRegistry
    function slashUnresponsive(uint256 challengeId) external nonReentrant returns (uint256 slashId) {
        Challenge storage challenge = _challenges[challengeId];
        if (challenge.status != ChallengeStatus.Open) revert ChallengeNotOpen(challengeId);
        // blob expiry is days and the response window hours; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp <= challenge.deadline) revert ResponseWindowOpen(challengeId, challenge.deadline);
        challenge.status = ChallengeStatus.Slashed;

        IAllocationManager allocations = IAllocationManager(address(registrar.allocationManager()));
        address avs = registrar.avs();
        uint32 setId = registrar.operatorSetId();
        // An operator that left the set more than the deallocation delay ago is no longer slashable and the
        // AllocationManager would revert: the challenge still closes (slash id 0) so the bond is not locked.
        if (allocations.isOperatorSlashable(challenge.operator, OperatorSet(avs, setId))) {
            IStrategy[] memory strategies = _sortedStrategies(registrar.strategyWeights());
            uint256[] memory wads = new uint256[](strategies.length);
            for (uint256 i = 0; i < wads.length; ++i) {
                wads[i] = unavailabilitySlashWad;
            }
            (slashId, ) = allocations.slashOperator(
                avs,
                IAllocationManagerTypes.SlashingParams({
                    operator: challenge.operator,
                    operatorSetId: setId,
                    strategies: strategies,
                    wadsToSlash: wads,
                    description: "vcloud DA: signed a certificate but could not produce the data"
                })
            );
        }
        emit OperatorSlashedForUnavailability(challengeId, challenge.operator, slashId);
        Address.sendValue(payable(challenge.challenger), challenge.bond);
    }

    /// @notice The challenge with this id.
    function getChallenge(uint256 challengeId) external view returns (Challenge memory) {
        return _challenges[challengeId];
    }

    /// @inheritdoc IBlobCertificateRegistry
    function evaluationPoint(uint32 index) external pure returns (bytes32) {
        return bytes32(BlobElements.evaluationPoint(index));
    }

    // Governance --------------------------------------------------------------------------------------

    /// @notice Sets the confirmation and adversary thresholds (bps). Only governance.
    function setThresholds(uint16 confirmationBps, uint16 adversaryBps) external onlyOwner {
        _setThresholds(confirmationBps, adversaryBps);
    }

    /// @notice Sets the storage price, period, protocol share and fee jar. Only governance.
    function setFees(uint256 perBytePeriod, uint64 period, uint16 protocolBps, address jar) external onlyOwner {
        _setFees(perBytePeriod, period, protocolBps, jar);
    }

    /// @inheritdoc IBlobCertificateRegistry
    function setFeeDistributor(IDAFeeDistributor distributor) external onlyOwner {
        feeDistributor = distributor;
        emit FeeDistributorSet(address(distributor));
    }

    /// @notice Sends operator fees paid while no distributor was set (`operatorFees`) to `to`. Only
    /// governance. Fees paid with a distributor set never stay here: they belong to the signers.
    function withdrawOperatorFees(address payable to, uint256 amount) external onlyOwner nonReentrant {
        uint256 available = operatorFees;
        if (amount > available) revert InsufficientOperatorFees(amount, available);
        operatorFees = available - amount;
        Address.sendValue(to, amount);
    }

    function _setThresholds(uint16 confirmationBps, uint16 adversaryBps) private {
        if (confirmationBps > BPS || adversaryBps == 0 || adversaryBps >= confirmationBps) {
            revert InvalidThresholds(confirmationBps, adversaryBps);
        }
        confirmationThresholdBps = confirmationBps;
        adversaryThresholdBps = adversaryBps;
        emit ThresholdsSet(confirmationBps, adversaryBps);
    }

    function _setFees(uint256 perBytePeriod, uint64 period, uint16 protocolBps, address jar) private {
        if (period == 0 || protocolBps > BPS || (protocolBps != 0 && jar == address(0))) revert InvalidFeeParameters();
        feePerBytePeriod = perBytePeriod;
        periodSeconds = period;
        protocolFeeBps = protocolBps;
        feeJar = jar;
        emit FeesSet(perBytePeriod, period, protocolBps, jar);
    }

    /// @dev The key hashes (as the signature checker and `challengeAvailability` use them) of the non-signers.
    function _pubkeyHashes(BLS12381.G1Point[] calldata pubkeys) private pure returns (bytes32[] memory hashes) {
        hashes = new bytes32[](pubkeys.length);
        for (uint256 i = 0; i < pubkeys.length; ++i) {
            hashes[i] = keccak256(abi.encode(pubkeys[i]));
        }
    }

    function _supportedRatio(uint16 ratio) private pure returns (bool) {
        return ratio == 2 || ratio == 4 || ratio == 8;
    }

    /// @dev The AllocationManager requires strictly ascending strategies.
    function _sortedStrategies(
        IBLSAVSRegistrar.StrategyWeight[] memory weights
    ) private pure returns (IStrategy[] memory strategies) {
        strategies = new IStrategy[](weights.length);
        for (uint256 i = 0; i < weights.length; ++i) {
            IStrategy next = weights[i].strategy;
            uint256 j = i;
            while (j > 0 && address(strategies[j - 1]) > address(next)) {
                strategies[j] = strategies[j - 1];
                --j;
            }
            strategies[j] = next;
        }
    }
}
