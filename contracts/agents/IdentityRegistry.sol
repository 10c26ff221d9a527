// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";

/**
 * @title IdentityRegistry
 * @notice ERC-8004 identity: each agent is an ERC-721 token whose URI points to its registration file, with
 * free-form on-chain metadata and a verified payment wallet (the reserved `agentWallet` key).
 * @dev Agent ids start at 0 and increase by one. The wallet proof is the EIP-712 struct
 * `AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)` in the domain
 * ("ERC8004IdentityRegistry", "1"), the same as the ERC's reference implementation, so wallets and tools
 * built for it sign compatible proofs. Every change of owner funnels through `_update`, which clears the
 * wallet, so a new owner must prove a wallet again.
 */
contract IdentityRegistry is ERC721URIStorage, EIP712, IIdentityRegistry {
    /// @notice The metadata key that `setMetadata` and `register` refuse; it mirrors the verified wallet.
    string public constant AGENT_WALLET_KEY = "agentWallet";
    /// @notice EIP-712 type hash of the wallet proof.
    bytes32 public constant AGENT_WALLET_SET_TYPEHASH = keccak256(
        "AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)"
    );
    /// @notice A wallet proof may be valid for at most this long, which bounds its replay window.
    uint256 public constant MAX_DEADLINE_DELAY = 5 minutes;

    bytes32 private constant _AGENT_WALLET_KEY_HASH = keccak256(bytes(AGENT_WALLET_KEY));

    uint256 private _nextAgentId;
    mapping(uint256 agentId => mapping(string metadataKey => bytes metadataValue)) private _metadata;
    mapping(uint256 agentId => address wallet) private _agentWallet;

    constructor() ERC721("AgentIdentity", "AGENT") EIP712("ERC8004IdentityRegistry", "1") {}

    modifier onlyOwnerOrOperator(uint256 agentId) {
        _checkOwnerOrOperator(agentId);
        _;
    }

    // ---------------------------------------------------------------------------------------------------
    // Registration
    // ---------------------------------------------------------------------------------------------------

    /// @inheritdoc IIdentityRegistry
    function register(string calldata agentURI, MetadataEntry[] calldata metadata) external returns (uint256 agentId) {
        for (uint256 i = 0; i < metadata.length; ++i) _checkNotReserved(metadata[i].metadataKey);
        agentId = _mintAgent(agentURI);
        for (uint256 i = 0; i < metadata.length; ++i) {
            _metadata[agentId][metadata[i].metadataKey] = metadata[i].metadataValue;
            emit MetadataSet(agentId, metadata[i].metadataKey, metadata[i].metadataKey, metadata[i].metadataValue);
        }
        emit Registered(agentId, agentURI, msg.sender);
    }

    /// @inheritdoc IIdentityRegistry
    function register(string calldata agentURI) external returns (uint256 agentId) {
        agentId = _mintAgent(agentURI);
        emit Registered(agentId, agentURI, msg.sender);
    }

    /// @inheritdoc IIdentityRegistry
    function register() external returns (uint256 agentId) {
        agentId = _mintAgent("");
        emit Registered(agentId, "", msg.sender);
    }

    /// @inheritdoc IIdentityRegistry
    function setAgentURI(uint256 agentId, string calldata newURI) external onlyOwnerOrOperator(agentId) {
        _setTokenURI(agentId, newURI);
        emit URIUpdated(agentId, newURI, msg.sender);
    }

    // ---------------------------------------------------------------------------------------------------
    // Metadata
    // ---------------------------------------------------------------------------------------------------

    /// @inheritdoc IIdentityRegistry
    function getMetadata(uint256 agentId, string memory metadataKey) external view returns (bytes memory) {
        if (keccak256(bytes(metadataKey)) == _AGENT_WALLET_KEY_HASH) {
            address wallet = _agentWallet[agentId];
            return wallet == address(0) ? bytes("") : abi.encodePacked(wallet);
        }
        return _metadata[agentId][metadataKey];
    }

    /// @inheritdoc IIdentityRegistry
    function setMetadata(
        uint256 agentId,
        string memory metadataKey,
        bytes memory metadataValue
    ) external onlyOwnerOrOperator(agentId) {
        _checkNotReserved(metadataKey);
        _metadata[agentId][metadataKey] = metadataValue;
        emit MetadataSet(agentId, metadataKey, metadataKey, metadataValue);
    }

    // ---------------------------------------------------------------------------------------------------
    // Agent wallet
    // ---------------------------------------------------------------------------------------------------

    /// @inheritdoc IIdentityRegistry
    function setAgentWallet(
        uint256 agentId,
        address newWallet,
        uint256 deadline,
        bytes calldata signature
    ) external onlyOwnerOrOperator(agentId) {
        if (newWallet == address(0)) revert AgentWalletIsZeroAddress();
        // wallet-proof deadline chosen by the signer (ERC-8004); seconds of leeway are accepted by design
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp > deadline) revert WalletProofExpired(deadline, block.timestamp);
        // wallet-proof deadline chosen by the signer (ERC-8004); seconds of leeway are accepted by design
        // solhint-disable-next-line not-rely-on-time
        uint256 maxDeadline = block.timestamp + MAX_DEADLINE_DELAY;
        if (deadline > maxDeadline) revert WalletProofDeadlineTooFar(deadline, maxDeadline);
        bytes32 digest = agentWalletDigest(agentId, newWallet, _ownerOf(agentId), deadline);
        if (!SignatureChecker.isValidSignatureNowCalldata(newWallet, digest, signature)) {
            revert InvalidWalletSignature(agentId, newWallet);
        }
        _setWallet(agentId, newWallet);
    }

    /// @inheritdoc IIdentityRegistry
    function getAgentWallet(uint256 agentId) external view returns (address) {
        _requireRegistered(agentId);
        return _agentWallet[agentId];
    }

    /// @inheritdoc IIdentityRegistry
    function unsetAgentWallet(uint256 agentId) external onlyOwnerOrOperator(agentId) {
        _setWallet(agentId, address(0));
    }

    // ---------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------

    /// @inheritdoc IIdentityRegistry
    function isOwnerOrOperator(uint256 agentId, address account) public view returns (bool) {
        return _isAuthorized(_ownerOf(agentId), account, agentId);
    }

    /// @inheritdoc IIdentityRegistry
    function totalAgents() external view returns (uint256) {
        return _nextAgentId;
    }

    /// @inheritdoc IIdentityRegistry
    function agentWalletDigest(
        uint256 agentId,
        address newWallet,
        address owner,
        uint256 deadline
    ) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(AGENT_WALLET_SET_TYPEHASH, agentId, newWallet, owner, deadline)));
    }

    // ---------------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------------

    /// @dev Mints the next agent to the caller, stores its URI and starts its wallet at the owner. `_mint`
    /// (not `_safeMint`) so that no callback runs in the middle of a registration.
    function _mintAgent(string memory agentURI) private returns (uint256 agentId) {
        agentId = _nextAgentId++;
        _mint(msg.sender, agentId);
        if (bytes(agentURI).length != 0) _setTokenURI(agentId, agentURI);
        _setWallet(agentId, msg.sender);
    }

    function _setWallet(uint256 agentId, address wallet) private {
        _agentWallet[agentId] = wallet;
        bytes memory value = wallet == address(0) ? bytes("") : abi.encodePacked(wallet);
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, value);
    }

    /// @dev Clears the wallet whenever the agent changes hands (not on mint, not on a self-transfer).
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0) && from != to && _agentWallet[tokenId] != address(0)) _setWallet(tokenId, address(0));
    }

    function _checkOwnerOrOperator(uint256 agentId) private view {
        address owner = _requireRegistered(agentId);
        if (!_isAuthorized(owner, msg.sender, agentId)) revert NotAgentOwnerOrOperator(agentId, msg.sender);
    }

    function _requireRegistered(uint256 agentId) private view returns (address owner) {
        owner = _ownerOf(agentId);
        if (owner == address(0)) revert AgentNotRegistered(agentId);
    }

    function _checkNotReserved(string memory metadataKey) private pure {
        if (keccak256(bytes(metadataKey)) == _AGENT_WALLET_KEY_HASH) revert ReservedMetadataKey(metadataKey);
    }
}
