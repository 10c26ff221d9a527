// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ERC-8004 Reputation Registry: custom errors.
interface IReputationRegistryErrors {
    /// @dev The identity registry given at deployment is the zero address.
    error IdentityRegistryIsZeroAddress();
    /// @dev No agent with this id exists in the identity registry.
    error AgentNotRegistered(uint256 agentId);
    /// @dev The agent's owner and its approved operators cannot rate the agent.
    error SelfFeedbackNotAllowed(uint256 agentId, address caller);
    /// @dev `valueDecimals` must be at most 18.
    error ValueDecimalsTooLarge(uint8 valueDecimals, uint8 maxDecimals);
    /// @dev `|value|` must be at most 1e38, so that values normalised to 18 decimals never overflow.
    error ValueOutOfRange(int128 value, int128 maxAbsValue);
    /// @dev No feedback with this 1-based index from this client to this agent.
    error FeedbackNotFound(uint256 agentId, address clientAddress, uint64 feedbackIndex);
    /// @dev The feedback was already revoked.
    error FeedbackAlreadyRevoked(uint256 agentId, address clientAddress, uint64 feedbackIndex);
    /// @dev A response needs a URI.
    error EmptyResponseURI();
    /// @dev `getSummary` needs a non-empty client list: unfiltered averages are open to Sybil attacks.
    error ClientAddressesRequired();
}

/// @title ERC-8004 Reputation Registry: events (exactly as in the ERC).
interface IReputationRegistryEvents {
    /// @notice `clientAddress` rated `agentId`; endpoint, URI and hash are only emitted, not stored.
    event NewFeedback(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        int128 value,
        uint8 valueDecimals,
        string indexed indexedTag1,
        string tag1,
        string tag2,
        string endpoint,
        string feedbackURI,
        bytes32 feedbackHash
    );
    /// @notice The client withdrew one of its feedback entries.
    event FeedbackRevoked(uint256 indexed agentId, address indexed clientAddress, uint64 indexed feedbackIndex);
    /// @notice Someone (the agent, an aggregator) attached a response to a feedback entry.
    event ResponseAppended(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        address indexed responder,
        string responseURI,
        bytes32 responseHash
    );
}

/**
 * @title ERC-8004 "Trustless Agents" Reputation Registry.
 * @notice Clients rate agents with a signed fixed-point value (`value` / 10^`valueDecimals`) and optional
 * tags; ratings can be revoked by their author and answered by anyone. Only value, decimals, tags and the
 * revoked flag are stored; the rest is emitted for indexers.
 */
interface IReputationRegistry is IReputationRegistryErrors, IReputationRegistryEvents {
    /// @notice The identity registry whose agents this registry rates.
    function getIdentityRegistry() external view returns (address identityRegistry);

    /// @notice Rates `agentId`. The caller must not own or operate the agent; decimals <= 18; |value| <= 1e38.
    /// Feedback indexes are 1-based and counted per (agent, client).
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string calldata tag1,
        string calldata tag2,
        string calldata endpoint,
        string calldata feedbackURI,
        bytes32 feedbackHash
    ) external;

    /// @notice Revokes the caller's feedback `feedbackIndex` to `agentId`; it stays readable but leaves summaries.
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external;

    /// @notice Attaches a response (e.g. a refund proof, a spam tag) to a feedback entry. Anyone may respond.
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external;

    /// @notice Average of the non-revoked feedback from `clientAddresses` (required, duplicates ignored) whose
    /// tags match (an empty tag matches all). The average is taken at 18 decimals and returned at the most
    /// common `valueDecimals` among the counted entries (the smallest on a tie), rounded toward zero; when it
    /// would exceed 1e38 units at that precision, at the most decimals that keep it within +-1e38.
    function getSummary(
        uint256 agentId,
        address[] calldata clientAddresses,
        string calldata tag1,
        string calldata tag2
    ) external view returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals);

    /// @notice One feedback entry.
    function readFeedback(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex
    ) external view returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked);

    /// @notice Every feedback entry to `agentId` from `clientAddresses` (all clients when empty) whose tags
    /// match (an empty tag matches all), revoked ones only with `includeRevoked`.
    function readAllFeedback(
        uint256 agentId,
        address[] memory clientAddresses,
        string memory tag1,
        string memory tag2,
        bool includeRevoked
    )
        external
        view
        returns (
            address[] memory clients,
            uint64[] memory feedbackIndexes,
            int128[] memory values,
            uint8[] memory valueDecimals,
            string[] memory tag1s,
            string[] memory tag2s,
            bool[] memory revokedStatuses
        );

    /// @notice Number of responses: to one entry, to every entry of `clientAddress` when `feedbackIndex` is 0,
    /// or to every entry of every client when `clientAddress` is zero; only from `responders` when non-empty.
    function getResponseCount(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        address[] calldata responders
    ) external view returns (uint64 count);

    /// @notice Every address that has given feedback to `agentId`, in order of first feedback.
    function getClients(uint256 agentId) external view returns (address[] memory);

    /// @notice The index of the latest feedback from `clientAddress` to `agentId` (0 when none).
    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64);
}
