// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ERC-8004 Validation Registry: custom errors.
interface IValidationRegistryErrors {
    /// @dev The identity registry given at deployment is the zero address.
    error IdentityRegistryIsZeroAddress();
    /// @dev No agent with this id exists in the identity registry.
    error AgentNotRegistered(uint256 agentId);
    /// @dev Only the agent's owner or an approved operator may request validation of its work.
    error NotAgentOwnerOrOperator(uint256 agentId, address caller);
    /// @dev A request must name a validator.
    error ValidatorIsZeroAddress();
    /// @dev The request hash identifies the request and cannot be zero.
    error RequestHashIsZero();
    /// @dev A request with this hash already exists.
    error ValidationRequestExists(bytes32 requestHash);
    /// @dev No request with this hash exists.
    error ValidationRequestNotFound(bytes32 requestHash);
    /// @dev Only the validator named in the request may respond to it.
    error NotRequestValidator(bytes32 requestHash, address caller, address validatorAddress);
    /// @dev Responses are 0..100.
    error ResponseOutOfRange(uint8 response, uint8 maxResponse);
}

/// @title ERC-8004 Validation Registry: events (exactly as in the ERC).
interface IValidationRegistryEvents {
    /// @notice The agent asked `validatorAddress` to check the work described at `requestURI`.
    event ValidationRequest(
        address indexed validatorAddress,
        uint256 indexed agentId,
        string requestURI,
        bytes32 indexed requestHash
    );
    /// @notice The validator answered (0 = failed .. 100 = passed); may be emitted repeatedly per request.
    event ValidationResponse(
        address indexed validatorAddress,
        uint256 indexed agentId,
        bytes32 indexed requestHash,
        uint8 response,
        string responseURI,
        bytes32 responseHash,
        string tag
    );
}

/**
 * @title ERC-8004 "Trustless Agents" Validation Registry.
 * @notice Agents ask validator contracts (stake-secured re-execution, TEE oracles, zkML verifiers) to check
 * their work; validators answer 0..100, as often as their view changes. Incentives and slashing belong to
 * the validator, not to this registry.
 */
interface IValidationRegistry is IValidationRegistryErrors, IValidationRegistryEvents {
    /// @notice The identity registry whose agents may request validation.
    function getIdentityRegistry() external view returns (address identityRegistry);

    /// @notice Opens a request identified by `requestHash` (a commitment to the data at `requestURI`).
    /// Caller: the agent's owner or an approved operator.
    function validationRequest(
        address validatorAddress,
        uint256 agentId,
        string calldata requestURI,
        bytes32 requestHash
    ) external;

    /// @notice Records the validator's answer (0..100) to a request; callable repeatedly by that validator.
    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external;

    /// @notice A request and its latest answer (`lastUpdate` is the request time until the first answer).
    function getValidationStatus(
        bytes32 requestHash
    )
        external
        view
        returns (
            address validatorAddress,
            uint256 agentId,
            uint8 response,
            bytes32 responseHash,
            string memory tag,
            uint256 lastUpdate
        );

    /// @notice Whether the request's validator has answered at least once (false for unknown requests).
    function hasResponse(bytes32 requestHash) external view returns (bool);

    /// @notice Count and average (rounded down) of the answered requests of `agentId`, only from
    /// `validatorAddresses` when non-empty and only with `tag` when non-empty.
    function getSummary(
        uint256 agentId,
        address[] calldata validatorAddresses,
        string calldata tag
    ) external view returns (uint64 count, uint8 averageResponse);

    /// @notice Every request opened for `agentId`, oldest first.
    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory requestHashes);

    /// @notice Every request addressed to `validatorAddress`, oldest first.
    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory requestHashes);
}
