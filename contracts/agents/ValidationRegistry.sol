// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {IValidationRegistry} from "../interfaces/IValidationRegistry.sol";

/**
 * @title ValidationRegistry
 * @notice ERC-8004 validation: records requests from agents to validators and the validators' answers.
 * @dev Answers may go up or down: a validator such as vcloud's bridge can first report a TEE result as
 * verified and later as refuted when re-execution proves it wrong.
 */
contract ValidationRegistry is IValidationRegistry {
    /// @notice Largest response (100 = passed).
    uint8 public constant MAX_RESPONSE = 100;

    struct Validation {
        address validatorAddress;
        uint8 response;
        bool hasResponse;
        uint256 agentId;
        bytes32 responseHash;
        uint256 lastUpdate;
        string tag;
    }

    IIdentityRegistry private immutable _identityRegistry;

    mapping(bytes32 requestHash => Validation) private _validations;
    mapping(uint256 agentId => bytes32[]) private _agentValidations;
    mapping(address validator => bytes32[]) private _validatorRequests;

    constructor(IIdentityRegistry identityRegistry_) {
        if (address(identityRegistry_) == address(0)) revert IdentityRegistryIsZeroAddress();
        _identityRegistry = identityRegistry_;
    }

    /// @inheritdoc IValidationRegistry
    function getIdentityRegistry() external view returns (address identityRegistry) {
        return address(_identityRegistry);
    }

    /// @inheritdoc IValidationRegistry
    function validationRequest(
        address validatorAddress,
        uint256 agentId,
        string calldata requestURI,
        bytes32 requestHash
    ) external {
        if (validatorAddress == address(0)) revert ValidatorIsZeroAddress();
        if (requestHash == bytes32(0)) revert RequestHashIsZero();
        if (_validations[requestHash].validatorAddress != address(0)) revert ValidationRequestExists(requestHash);
        _requireRegistered(agentId);
        if (!_identityRegistry.isOwnerOrOperator(agentId, msg.sender)) {
            revert NotAgentOwnerOrOperator(agentId, msg.sender);
        }

        Validation storage v = _validations[requestHash];
        v.validatorAddress = validatorAddress;
        v.agentId = agentId;
        // ERC-8004 lastUpdate record; no decision depends on it
        // solhint-disable-next-line not-rely-on-time
        v.lastUpdate = block.timestamp;
        _agentValidations[agentId].push(requestHash);
        _validatorRequests[validatorAddress].push(requestHash);
        emit ValidationRequest(validatorAddress, agentId, requestURI, requestHash);
    }

    /// @inheritdoc IValidationRegistry
    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external {
        Validation storage v = _existing(requestHash);
        if (msg.sender != v.validatorAddress) revert NotRequestValidator(requestHash, msg.sender, v.validatorAddress);
        if (response > MAX_RESPONSE) revert ResponseOutOfRange(response, MAX_RESPONSE);
        v.response = response;
        v.hasResponse = true;
        v.responseHash = responseHash;
        v.tag = tag;
        // ERC-8004 lastUpdate record; no decision depends on it
        // solhint-disable-next-line not-rely-on-time
        v.lastUpdate = block.timestamp;
        emit ValidationResponse(v.validatorAddress, v.agentId, requestHash, response, responseURI, responseHash, tag);
    }

    /// @inheritdoc IValidationRegistry
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
        )
    {
        Validation storage v = _existing(requestHash);
        return (v.validatorAddress, v.agentId, v.response, v.responseHash, v.tag, v.lastUpdate);
    }

    /// @inheritdoc IValidationRegistry
    function hasResponse(bytes32 requestHash) external view returns (bool) {
        return _validations[requestHash].hasResponse;
    }

    /// @inheritdoc IValidationRegistry
    function getSummary(
        uint256 agentId,
        address[] calldata validatorAddresses,
        string calldata tag
    ) external view returns (uint64 count, uint8 averageResponse) {
        bytes32 tagHash = bytes(tag).length == 0 ? bytes32(0) : keccak256(bytes(tag));
        bytes32[] storage requests = _agentValidations[agentId];
        uint256 total = 0;
        for (uint256 i = 0; i < requests.length; ++i) {
            Validation storage v = _validations[requests[i]];
            if (!v.hasResponse) continue;
            if (validatorAddresses.length != 0 && !_contains(validatorAddresses, v.validatorAddress)) continue;
            if (tagHash != bytes32(0) && keccak256(bytes(v.tag)) != tagHash) continue;
            total += v.response;
            ++count;
        }
        if (count != 0) averageResponse = uint8(total / count);
    }

    /// @inheritdoc IValidationRegistry
    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory requestHashes) {
        return _agentValidations[agentId];
    }

    /// @inheritdoc IValidationRegistry
    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory requestHashes) {
        return _validatorRequests[validatorAddress];
    }

    function _existing(bytes32 requestHash) private view returns (Validation storage v) {
        v = _validations[requestHash];
        if (v.validatorAddress == address(0)) revert ValidationRequestNotFound(requestHash);
    }

    function _requireRegistered(uint256 agentId) private view {
        try _identityRegistry.ownerOf(agentId) returns (address owner) {
            if (owner == address(0)) revert AgentNotRegistered(agentId);
        } catch {
            revert AgentNotRegistered(agentId);
        }
    }

    function _contains(address[] calldata list, address item) private pure returns (bool) {
        for (uint256 i = 0; i < list.length; ++i) if (list[i] == item) return true;
        return false;
    }
}
