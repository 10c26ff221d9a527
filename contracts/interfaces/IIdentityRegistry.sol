// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";

/// @title ERC-8004 Identity Registry: custom errors.
interface IIdentityRegistryErrors {
    /// @dev No agent with this id has been registered.
    error AgentNotRegistered(uint256 agentId);
    /// @dev Only the agent's owner or an approved operator may manage it.
    error NotAgentOwnerOrOperator(uint256 agentId, address caller);
    /// @dev The key is reserved (`agentWallet`) and can only change through `setAgentWallet`.
    error ReservedMetadataKey(string metadataKey);
    /// @dev The agent wallet cannot be the zero address (use `unsetAgentWallet`).
    error AgentWalletIsZeroAddress();
    /// @dev The wallet proof's deadline has passed.
    error WalletProofExpired(uint256 deadline, uint256 timestamp);
    /// @dev The wallet proof's deadline is further in the future than the registry accepts.
    error WalletProofDeadlineTooFar(uint256 deadline, uint256 maxDeadline);
    /// @dev The signature is not a valid EIP-712 (EOA) or ERC-1271 (contract) proof from the new wallet.
    error InvalidWalletSignature(uint256 agentId, address newWallet);
}

/// @title ERC-8004 Identity Registry: events (exactly as in the ERC).
interface IIdentityRegistryEvents {
    /// @notice A new agent was minted to `owner` with registration file `agentURI`.
    event Registered(uint256 indexed agentId, string agentURI, address indexed owner);
    /// @notice The agent's registration file URI changed.
    event URIUpdated(uint256 indexed agentId, string newURI, address indexed updatedBy);
    /// @notice An on-chain metadata entry was set (also emitted for the reserved `agentWallet` key).
    event MetadataSet(
        uint256 indexed agentId,
        string indexed indexedMetadataKey,
        string metadataKey,
        bytes metadataValue
    );
}

/**
 * @title ERC-8004 "Trustless Agents" Identity Registry.
 * @notice Every agent is an ERC-721 token (agentId = tokenId) whose URI resolves to its registration file.
 * The reserved `agentWallet` metadata key holds the address where the agent receives payments: the owner
 * at registration, changed only with a signed proof from the new wallet, cleared on transfer.
 */
interface IIdentityRegistry is IERC721Metadata, IIdentityRegistryErrors, IIdentityRegistryEvents {
    /// @notice One on-chain metadata entry given at registration.
    struct MetadataEntry {
        string metadataKey;
        bytes metadataValue;
    }

    /// @notice Mints a new agent to the caller with a registration URI and extra metadata entries.
    /// @dev Emits Transfer, MetadataSet for `agentWallet`, MetadataSet per entry, then Registered.
    function register(string calldata agentURI, MetadataEntry[] calldata metadata) external returns (uint256 agentId);

    /// @notice Mints a new agent to the caller with a registration URI.
    function register(string calldata agentURI) external returns (uint256 agentId);

    /// @notice Mints a new agent to the caller; the URI is added later with `setAgentURI`.
    function register() external returns (uint256 agentId);

    /// @notice Replaces the agent's registration URI. Owner or approved operator only.
    function setAgentURI(uint256 agentId, string calldata newURI) external;

    /// @notice Reads an on-chain metadata entry (`agentWallet` returns the 20-byte wallet, or empty).
    function getMetadata(uint256 agentId, string memory metadataKey) external view returns (bytes memory);

    /// @notice Sets an on-chain metadata entry. Owner or approved operator only; `agentWallet` is reserved.
    function setMetadata(uint256 agentId, string memory metadataKey, bytes memory metadataValue) external;

    /// @notice Sets the agent's wallet, proven by `newWallet`'s EIP-712 signature (EOA) or ERC-1271 approval
    /// (contract) over AgentWalletSet(agentId, newWallet, owner, deadline). Owner or approved operator only.
    function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes calldata signature) external;

    /// @notice The agent's wallet (zero when unset).
    function getAgentWallet(uint256 agentId) external view returns (address);

    /// @notice Clears the agent's wallet. Owner or approved operator only.
    function unsetAgentWallet(uint256 agentId) external;

    /// @notice Whether `account` is the agent's owner or an approved operator (false for unknown agents).
    function isOwnerOrOperator(uint256 agentId, address account) external view returns (bool);

    /// @notice Number of agents registered so far; ids run from 0 to `totalAgents() - 1`.
    function totalAgents() external view returns (uint256);

    /// @notice EIP-712 digest the new wallet signs to accept being an agent's wallet.
    function agentWalletDigest(
        uint256 agentId,
        address newWallet,
        address owner,
        uint256 deadline
    ) external view returns (bytes32);
}
