// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {IValidationRegistry} from "../interfaces/IValidationRegistry.sol";
import {IVcloudValidator} from "../interfaces/IVcloudValidator.sol";
import {IVerificationSource} from "../interfaces/IVerificationSource.sol";

/**
 * @title VcloudValidator
 * @notice Bridges vcloud's verification AVSs into ERC-8004: an agent opens a validation request addressed
 * to this contract whose hash commits to (agent, source, subject, salt); once the source's outcome is final,
 * anyone calls `respond` and this contract answers in the validation registry (100 verified, 0 refuted),
 * tagged with the source's kind, and records the operator set whose stake backs the answer.
 * @dev Governance (the owner, two-step transfer) decides which contracts count as verification sources.
 * The answer only depends on on-chain state, so `respond` is permissionless; a keeper or the agent calls it.
 */
contract VcloudValidator is Ownable2Step, IVcloudValidator {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Answer for a verified result.
    uint8 public constant PASSED = 100;
    /// @notice Answer for a refuted result.
    uint8 public constant FAILED = 0;

    IValidationRegistry private immutable _validationRegistry;
    IIdentityRegistry private immutable _identityRegistry;

    EnumerableSet.AddressSet private _sources;
    mapping(IVerificationSource source => string kind) private _kinds;
    mapping(bytes32 requestHash => Backing) private _backings;

    constructor(IValidationRegistry validationRegistry_, address governance) Ownable(governance) {
        if (address(validationRegistry_) == address(0)) revert ZeroAddress();
        _validationRegistry = validationRegistry_;
        _identityRegistry = IIdentityRegistry(validationRegistry_.getIdentityRegistry());
    }

    // ---------------------------------------------------------------------------------------------------
    // Governance
    // ---------------------------------------------------------------------------------------------------

    /// @inheritdoc IVcloudValidator
    function addSource(IVerificationSource source, string calldata kind) external onlyOwner {
        if (address(source).code.length == 0) revert SourceHasNoCode(address(source));
        if (bytes(kind).length == 0) revert EmptySourceKind();
        if (!_sources.add(address(source))) revert SourceAlreadyRegistered(address(source));
        _kinds[source] = kind;
        emit SourceAdded(address(source), kind);
    }

    /// @inheritdoc IVcloudValidator
    function removeSource(IVerificationSource source) external onlyOwner {
        if (!_sources.remove(address(source))) revert SourceNotRegistered(address(source));
        delete _kinds[source];
        emit SourceRemoved(address(source));
    }

    // ---------------------------------------------------------------------------------------------------
    // Answering
    // ---------------------------------------------------------------------------------------------------

    /// @inheritdoc IVcloudValidator
    function respond(
        bytes32 requestHash,
        IVerificationSource source,
        bytes32 subject,
        bytes32 salt
    ) external returns (uint8 response) {
        // Checks: the request is addressed to us and commits to exactly this source and subject.
        (address validatorAddress, uint256 agentId, , , , ) = _validationRegistry.getValidationStatus(requestHash);
        if (validatorAddress != address(this)) revert RequestNotForThisValidator(requestHash, validatorAddress);
        bytes32 expected = requestHashFor(agentId, source, subject, salt);
        if (expected != requestHash) revert RequestHashMismatch(requestHash, expected);
        if (!_sources.contains(address(source))) revert SourceNotRegistered(address(source));

        VerificationOutcome memory outcome = source.verificationOutcome(subject);
        if (outcome.status == VerificationStatus.Verified) response = PASSED;
        else if (outcome.status == VerificationStatus.Refuted) response = FAILED;
        else revert OutcomeNotFinal(subject, outcome.status);
        if (!_isAgentAccount(agentId, outcome.requester)) {
            revert SubjectNotFromAgent(subject, outcome.requester, agentId);
        }
        Backing storage backing = _backings[requestHash];
        if (backing.answeredAt != 0 && backing.response == response) revert AnswerUnchanged(requestHash, response);

        // Effects.
        backing.source = source;
        backing.subject = subject;
        backing.operatorSet = outcome.operatorSet;
        backing.resultHash = outcome.resultHash;
        backing.response = response;
        backing.decidedAt = outcome.decidedAt;
        // records when the response was given; no decision depends on it
        // solhint-disable-next-line not-rely-on-time
        backing.answeredAt = uint64(block.timestamp);
        emit ValidationAnswered(
            requestHash,
            agentId,
            address(source),
            subject,
            outcome.operatorSet.avs,
            outcome.operatorSet.id,
            response
        );

        // Interaction: the registry is fixed at deployment and trusted.
        _validationRegistry.validationResponse(
            requestHash,
            response,
            "",
            keccak256(abi.encode(outcome)),
            _kinds[source]
        );
    }

    // ---------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------

    /// @inheritdoc IVcloudValidator
    function requestPayload(
        uint256 agentId,
        IVerificationSource source,
        bytes32 subject,
        bytes32 salt
    ) public view returns (bytes memory) {
        return abi.encode(block.chainid, address(this), agentId, address(source), subject, salt);
    }

    /// @inheritdoc IVcloudValidator
    function requestHashFor(
        uint256 agentId,
        IVerificationSource source,
        bytes32 subject,
        bytes32 salt
    ) public view returns (bytes32) {
        return keccak256(requestPayload(agentId, source, subject, salt));
    }

    /// @inheritdoc IVcloudValidator
    function backingOf(bytes32 requestHash) external view returns (Backing memory) {
        return _backings[requestHash];
    }

    /// @inheritdoc IVcloudValidator
    function isSource(IVerificationSource source) external view returns (bool) {
        return _sources.contains(address(source));
    }

    /// @inheritdoc IVcloudValidator
    function sourceKind(IVerificationSource source) external view returns (string memory) {
        return _kinds[source];
    }

    /// @inheritdoc IVcloudValidator
    function getSources() external view returns (address[] memory) {
        return _sources.values();
    }

    /// @inheritdoc IVcloudValidator
    function validationRegistry() external view returns (address) {
        return address(_validationRegistry);
    }

    /// @dev The work belongs to the agent when its poster is the agent's owner, an approved operator, or its
    /// verified wallet.
    function _isAgentAccount(uint256 agentId, address account) private view returns (bool) {
        if (account == address(0)) return false;
        return
            _identityRegistry.isOwnerOrOperator(agentId, account) ||
            _identityRegistry.getAgentWallet(agentId) == account;
    }
}
