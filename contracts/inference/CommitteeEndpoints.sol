// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBLSAVSRegistrar} from "../interfaces/IBLSAVSRegistrar.sol";
import {ICommitteeEndpoints} from "../interfaces/ICommitteeEndpoints.sol";
import {OperatorSet} from "../libraries/OperatorSetLib.sol";

/// @title CommitteeEndpoints
/// @notice Committee-duty endpoints of the verification operator set's members (see ICommitteeEndpoints).
/// Only current members may register; readers take members (and their stake) from the registrar's
/// snapshot at a certificate's reference block and look their endpoints up here.
contract CommitteeEndpoints is ICommitteeEndpoints {
    /// @notice Longest accepted endpoint URL, in bytes.
    uint256 public constant MAX_ENDPOINT_LENGTH = 256;

    /// @inheritdoc ICommitteeEndpoints
    IBLSAVSRegistrar public immutable committeeRegistrar;

    mapping(address operator => string) private _endpoints;

    constructor(IBLSAVSRegistrar registrar) {
        committeeRegistrar = registrar;
    }

    /// @inheritdoc ICommitteeEndpoints
    function setEndpoint(string calldata endpoint) external {
        if (bytes(endpoint).length > MAX_ENDPOINT_LENGTH) {
            revert EndpointTooLong(bytes(endpoint).length, MAX_ENDPOINT_LENGTH);
        }
        OperatorSet memory set = OperatorSet(committeeRegistrar.avs(), committeeRegistrar.operatorSetId());
        if (!committeeRegistrar.allocationManager().isMemberOfOperatorSet(msg.sender, set)) {
            revert NotCommitteeMember(msg.sender);
        }
        _endpoints[msg.sender] = endpoint;
        emit CommitteeEndpointSet(msg.sender, endpoint);
    }

    /// @inheritdoc ICommitteeEndpoints
    function endpointOf(address operator) external view returns (string memory) {
        return _endpoints[operator];
    }
}
