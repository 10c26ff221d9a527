// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IAllocationManagerTypes} from "./IAllocationManager.sol";
import {ISlasher} from "./ISlasher.sol";

/// @title IVetoableSlasherErrors
interface IVetoableSlasherErrors {
    /// @notice Thrown when the caller is not the veto committee.
    error NotVetoCommittee(address caller);
    /// @notice Thrown when a request id does not exist.
    error UnknownRequest(uint256 requestId);
    /// @notice Thrown when a request is not waiting (already executed or cancelled).
    error RequestNotPending(uint256 requestId, IVetoableSlasherTypes.RequestStatus status);
    /// @notice Thrown when the veto committee acts after the veto window closed.
    error VetoWindowClosed(uint256 requestId, uint256 vetoableUntil, uint256 currentBlock);
    /// @notice Thrown when someone executes a request before its veto window closed.
    error VetoWindowOpen(uint256 requestId, uint256 vetoableUntil, uint256 currentBlock);
    /// @notice Thrown when the veto window is 0 or not shorter than the AllocationManager's deallocation
    /// delay (an operator could otherwise deregister and escape before the window closes).
    error InvalidVetoWindow(uint32 vetoWindowBlocks, uint32 deallocationDelay);
}

/// @title IVetoableSlasherTypes
interface IVetoableSlasherTypes {
    /// @notice Lifecycle of a request: None (unknown id) -> Pending -> Executed or Cancelled.
    enum RequestStatus {
        None,
        Pending,
        Cancelled,
        Executed
    }

    /// @notice A queued slash and the block after which it can be executed.
    struct SlashRequest {
        IAllocationManagerTypes.SlashingParams params;
        address requester;
        uint32 requestBlock;
        uint32 vetoableUntil;
        RequestStatus status;
    }
}

/// @title IVetoableSlasherEvents
interface IVetoableSlasherEvents {
    /// @notice Emitted when a slash is requested; it can be vetoed up to and including `vetoableUntil`.
    event SlashRequested(
        uint256 indexed requestId,
        address indexed operator,
        uint32 operatorSetId,
        address requester,
        uint32 vetoableUntil,
        string description
    );
    /// @notice Emitted when the veto committee cancels a request.
    event SlashCancelled(uint256 indexed requestId, address indexed vetoCommittee);
    /// @notice Emitted when the owner replaces the veto committee.
    event VetoCommitteeSet(address indexed previous, address indexed next);
}

/// @title IVetoableSlasher
/// @notice A slasher for faults that need human judgement: a requester queues a slash, a veto committee
/// may cancel it within `vetoWindowBlocks`, and after that anyone may execute it.
interface IVetoableSlasher is IVetoableSlasherErrors, IVetoableSlasherTypes, IVetoableSlasherEvents, ISlasher {
    /// @notice Queues a slash of `params.operator`. Only a slash requester. The parameters are checked for
    /// shape here; whether the operator is slashable is checked by the AllocationManager at execution.
    /// @return requestId The new request's id (1, 2, ...).
    function requestSlash(IAllocationManagerTypes.SlashingParams calldata params) external returns (uint256 requestId);

    /// @notice Cancels a pending request while its veto window is open. Only the veto committee.
    function cancelSlash(uint256 requestId) external;

    /// @notice Executes a pending request once its veto window has closed. Anyone may call.
    /// @return slashId The set's slash id.
    /// @return shares The shares recorded for burning or redistribution, per strategy.
    function executeSlash(uint256 requestId) external returns (uint256 slashId, uint256[] memory shares);

    /// @notice Replaces the veto committee. Only the owner.
    function setVetoCommittee(address vetoCommittee_) external;

    /// @notice A request by id.
    function getRequest(uint256 requestId) external view returns (SlashRequest memory);

    /// @notice The address allowed to cancel requests.
    function vetoCommittee() external view returns (address);

    /// @notice Blocks during which a request can be cancelled.
    function vetoWindowBlocks() external view returns (uint32);
}
