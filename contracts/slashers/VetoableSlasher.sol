// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAllocationManager, IAllocationManagerTypes} from "../interfaces/IAllocationManager.sol";
import {IVetoableSlasher} from "../interfaces/IVetoableSlasher.sol";
import {SlasherBase} from "./SlasherBase.sol";

/// @title VetoableSlasher
/// @notice Slashes in two steps so that a veto committee can stop a wrong slash: a requester queues it,
/// the committee may cancel it during `vetoWindowBlocks` blocks, then anyone executes it.
/// @dev The window is shorter than the AllocationManager's DEALLOCATION_DELAY, so an operator that
/// deregisters or deallocates right after a request is still slashable when the window closes.
contract VetoableSlasher is IVetoableSlasher, SlasherBase {
    /// @inheritdoc IVetoableSlasher
    uint32 public immutable vetoWindowBlocks;
    /// @inheritdoc IVetoableSlasher
    address public vetoCommittee;

    mapping(uint256 requestId => SlashRequest) private _requests;

    /// @param allocationManager_ The AllocationManager.
    /// @param avs_ The AVS whose operator sets name this contract as slasher.
    /// @param owner_ Who manages the requesters and the committee.
    /// @param vetoCommittee_ Who may cancel requests.
    /// @param vetoWindowBlocks_ Blocks during which a request can be cancelled, in (0, DEALLOCATION_DELAY).
    constructor(
        IAllocationManager allocationManager_,
        address avs_,
        address owner_,
        address vetoCommittee_,
        uint32 vetoWindowBlocks_
    ) SlasherBase(allocationManager_, avs_, owner_) {
        if (vetoCommittee_ == address(0)) revert ZeroAddress();
        uint32 deallocationDelay = allocationManager_.DEALLOCATION_DELAY();
        if (vetoWindowBlocks_ == 0 || vetoWindowBlocks_ >= deallocationDelay)
            revert InvalidVetoWindow(vetoWindowBlocks_, deallocationDelay);
        vetoWindowBlocks = vetoWindowBlocks_;
        vetoCommittee = vetoCommittee_;
        emit VetoCommitteeSet(address(0), vetoCommittee_);
    }

    /// @inheritdoc IVetoableSlasher
    function requestSlash(
        IAllocationManagerTypes.SlashingParams calldata params
    ) external onlySlashRequester returns (uint256 requestId) {
        _checkShape(params);
        requestId = _nextRequestId();
        uint32 vetoableUntil = SafeCast.toUint32(block.number + vetoWindowBlocks);
        SlashRequest storage request = _requests[requestId];
        request.params = params;
        request.requester = msg.sender;
        request.requestBlock = SafeCast.toUint32(block.number);
        request.vetoableUntil = vetoableUntil;
        request.status = RequestStatus.Pending;
        emit SlashRequested(
            requestId,
            params.operator,
            params.operatorSetId,
            msg.sender,
            vetoableUntil,
            params.description
        );
    }

    /// @inheritdoc IVetoableSlasher
    function cancelSlash(uint256 requestId) external {
        if (msg.sender != vetoCommittee) revert NotVetoCommittee(msg.sender);
        SlashRequest storage request = _pending(requestId);
        if (block.number > request.vetoableUntil)
            revert VetoWindowClosed(requestId, request.vetoableUntil, block.number);
        request.status = RequestStatus.Cancelled;
        emit SlashCancelled(requestId, msg.sender);
    }

    /// @inheritdoc IVetoableSlasher
    function executeSlash(uint256 requestId) external returns (uint256 slashId, uint256[] memory shares) {
        SlashRequest storage request = _pending(requestId);
        if (block.number <= request.vetoableUntil)
            revert VetoWindowOpen(requestId, request.vetoableUntil, block.number);
        request.status = RequestStatus.Executed;
        (slashId, shares) = _execute(requestId, request.params);
    }

    /// @inheritdoc IVetoableSlasher
    function setVetoCommittee(address vetoCommittee_) external onlyOwner {
        if (vetoCommittee_ == address(0)) revert ZeroAddress();
        emit VetoCommitteeSet(vetoCommittee, vetoCommittee_);
        vetoCommittee = vetoCommittee_;
    }

    /// @inheritdoc IVetoableSlasher
    function getRequest(uint256 requestId) external view returns (SlashRequest memory) {
        if (_requests[requestId].status == RequestStatus.None) revert UnknownRequest(requestId);
        return _requests[requestId];
    }

    function _pending(uint256 requestId) private view returns (SlashRequest storage request) {
        request = _requests[requestId];
        if (request.status == RequestStatus.None) revert UnknownRequest(requestId);
        if (request.status != RequestStatus.Pending) revert RequestNotPending(requestId, request.status);
    }
}
