// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IAllocationManager} from "./IAllocationManager.sol";

/// @title ISlasherErrors
interface ISlasherErrors {
    /// @notice Thrown when a constructor or setter is given the zero address.
    error ZeroAddress();
    /// @notice Thrown when the caller is not allowed to request slashes.
    error NotSlashRequester(address caller);
    /// @notice Thrown when a slash request names no strategies or mismatched arrays.
    error InvalidSlashRequest(uint256 strategies, uint256 wadsToSlash);
}

/// @title ISlasherEvents
interface ISlasherEvents {
    /// @notice Emitted when `requester` is allowed (or no longer allowed) to request slashes.
    event SlashRequesterSet(address indexed requester, bool allowed);
    /// @notice Emitted when a slash reached the AllocationManager.
    /// @param requestId The slasher's own request counter.
    /// @param slashId The operator set's slash id assigned by the AllocationManager.
    /// @param shares The shares recorded for burning or redistribution, per strategy.
    event SlashExecuted(
        uint256 indexed requestId,
        address indexed operator,
        uint32 operatorSetId,
        uint256 slashId,
        uint256[] shares
    );
}

/// @title ISlasher
/// @notice What every vcloud slasher contract shares: it is the slasher of operator sets of one AVS, and a
/// list of requesters (challenge contracts, governance) may ask it to slash.
interface ISlasher is ISlasherErrors, ISlasherEvents {
    /// @notice Allows or disallows `requester` to request slashes. Only the owner.
    function setSlashRequester(address requester, bool allowed) external;

    /// @notice The AllocationManager this slasher calls.
    function allocationManager() external view returns (IAllocationManager);

    /// @notice The AVS whose operator sets name this contract as slasher.
    function avs() external view returns (address);

    /// @notice Whether `requester` may request slashes.
    function isSlashRequester(address requester) external view returns (bool);

    /// @notice The number of slash requests made so far (the last request id).
    function requestCount() external view returns (uint256);
}
