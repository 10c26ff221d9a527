// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBLSAVSRegistrar} from "./IBLSAVSRegistrar.sol";

/// @title ICommitteeEndpoints
/// @notice Where the members of a re-execution committee (the verification operator set behind one
/// BLSAVSRegistrar) answer committee duties: each member registers the URL of its committee endpoint
/// (`vcloud keeper replay --committee-listen`), and the keeper that resolves a challenge reads them to
/// ask the members for their signatures. Separate from the registrar's `socketOf`, which is the member's
/// DA node on a set that serves both roles.
interface ICommitteeEndpoints {
    /// @notice Thrown when the caller is not a member of the committee's operator set.
    error NotCommitteeMember(address operator);
    /// @notice Thrown when an endpoint URL is longer than `maxLength` bytes.
    error EndpointTooLong(uint256 length, uint256 maxLength);

    /// @notice Emitted when a member sets (or clears, with "") its committee endpoint.
    event CommitteeEndpointSet(address indexed operator, string endpoint);

    /// @notice The registrar of the committee's operator set.
    function committeeRegistrar() external view returns (IBLSAVSRegistrar);

    /// @notice Sets the caller's committee endpoint URL ("" clears it). Only members of the committee set.
    function setEndpoint(string calldata endpoint) external;

    /// @notice The committee endpoint `operator` registered ("" if none).
    function endpointOf(address operator) external view returns (string memory);
}
