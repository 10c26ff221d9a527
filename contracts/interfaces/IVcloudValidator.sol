// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IVerificationSource, IVerificationSourceTypes} from "./IVerificationSource.sol";

/// @title VcloudValidator: custom errors.
interface IVcloudValidatorErrors {
    /// @dev A constructor argument is the zero address.
    error ZeroAddress();
    /// @dev A source must be a deployed contract.
    error SourceHasNoCode(address source);
    /// @dev A source needs a non-empty kind (it becomes the ERC-8004 response tag).
    error EmptySourceKind();
    /// @dev The source is already registered.
    error SourceAlreadyRegistered(address source);
    /// @dev The source is not registered by governance.
    error SourceNotRegistered(address source);
    /// @dev The validation request names another validator.
    error RequestNotForThisValidator(bytes32 requestHash, address validatorAddress);
    /// @dev The request hash does not commit to (this validator, agent, source, subject, salt).
    error RequestHashMismatch(bytes32 requestHash, bytes32 expectedRequestHash);
    /// @dev The source has no final outcome for the subject yet.
    error OutcomeNotFinal(bytes32 subject, IVerificationSourceTypes.VerificationStatus status);
    /// @dev The work was posted by an account that neither owns, operates nor is the wallet of the agent.
    error SubjectNotFromAgent(bytes32 subject, address requester, uint256 agentId);
    /// @dev The registry already holds this answer for the request.
    error AnswerUnchanged(bytes32 requestHash, uint8 response);
}

/// @title VcloudValidator: events.
interface IVcloudValidatorEvents {
    /// @notice Governance registered a verification source; `kind` tags its answers (e.g. "tee", "inference").
    event SourceAdded(address indexed source, string kind);
    /// @notice Governance removed a verification source; answers already given stay recorded.
    event SourceRemoved(address indexed source);
    /// @notice The bridge answered `requestHash` from `source`'s outcome for `subject`, backed by the stake of
    /// operator set (`avs`, `operatorSetId`).
    event ValidationAnswered(
        bytes32 indexed requestHash,
        uint256 indexed agentId,
        address indexed source,
        bytes32 subject,
        address avs,
        uint32 operatorSetId,
        uint8 response
    );
}

/// @title VcloudValidator: types.
interface IVcloudValidatorTypes is IVerificationSourceTypes {
    /// @notice What stands behind an answer: which source and subject, the operator set, the result.
    struct Backing {
        IVerificationSource source;
        bytes32 subject;
        OperatorSet operatorSet;
        bytes32 resultHash;
        uint8 response;
        uint64 decidedAt;
        uint64 answeredAt;
    }
}

/**
 * @title IVcloudValidator
 * @notice The ERC-8004 validator that answers validation requests from vcloud's verification AVSs: a
 * verified result is 100, a refuted one 0. Each answer records the operator set whose slashable stake backs
 * it. Anyone may trigger an answer; it is fully determined by the source's on-chain outcome.
 */
interface IVcloudValidator is IVcloudValidatorErrors, IVcloudValidatorEvents, IVcloudValidatorTypes {
    /// @notice Registers a verification source (governance only).
    function addSource(IVerificationSource source, string calldata kind) external;

    /// @notice Unregisters a verification source (governance only).
    function removeSource(IVerificationSource source) external;

    /// @notice Answers request `requestHash` in the validation registry from `source`'s final outcome for
    /// `subject`; callable again when the outcome changes (e.g. a verified TEE result later refuted).
    /// @param salt The salt the request hash was made with (lets an agent re-request when a hash is taken).
    /// @return response 100 when verified, 0 when refuted.
    function respond(
        bytes32 requestHash,
        IVerificationSource source,
        bytes32 subject,
        bytes32 salt
    ) external returns (uint8 response);

    /// @notice The bytes whose keccak256 is the request hash for (agent, source, subject, salt) at this
    /// validator: abi.encode(chainid, this validator, agentId, source, subject, salt).
    /// @dev Request hashes are global in the registry, so anyone who sees a request could open the same hash
    /// first (for another agent) to block it; the agent then simply requests again with another salt.
    function requestPayload(
        uint256 agentId,
        IVerificationSource source,
        bytes32 subject,
        bytes32 salt
    ) external view returns (bytes memory);

    /// @notice keccak256 of `requestPayload`: the requestHash an agent uses to ask this validator.
    function requestHashFor(
        uint256 agentId,
        IVerificationSource source,
        bytes32 subject,
        bytes32 salt
    ) external view returns (bytes32);

    /// @notice What backs the answer to `requestHash` (all zero before the first answer).
    function backingOf(bytes32 requestHash) external view returns (Backing memory);

    /// @notice Whether `source` is registered.
    function isSource(IVerificationSource source) external view returns (bool);

    /// @notice The kind (response tag) of a registered source.
    function sourceKind(IVerificationSource source) external view returns (string memory);

    /// @notice Every registered source.
    function getSources() external view returns (address[] memory);

    /// @notice The ERC-8004 validation registry this validator answers in.
    function validationRegistry() external view returns (address);
}
