// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {IAllocationManager, IAllocationManagerTypes} from "../interfaces/IAllocationManager.sol";
import {ISlasher} from "../interfaces/ISlasher.sol";

/// @title SlasherBase
/// @notice What InstantSlasher and VetoableSlasher share: the AllocationManager and AVS they act for, the
/// owner-managed list of slash requesters, the request counter, and the one place that calls
/// `slashOperator`.
/// @dev The contract must be named as the slasher of the AVS's operator sets (`createOperatorSets` or
/// `updateSlasher`); the AllocationManager checks that, so this contract does not repeat it.
abstract contract SlasherBase is ISlasher, Ownable2Step {
    /// @inheritdoc ISlasher
    IAllocationManager public immutable allocationManager;
    /// @inheritdoc ISlasher
    address public immutable avs;

    /// @inheritdoc ISlasher
    mapping(address requester => bool allowed) public isSlashRequester;
    /// @inheritdoc ISlasher
    uint256 public requestCount;

    modifier onlySlashRequester() {
        if (!isSlashRequester[msg.sender]) revert NotSlashRequester(msg.sender);
        _;
    }

    /// @param allocationManager_ The AllocationManager.
    /// @param avs_ The AVS whose operator sets use this slasher.
    /// @param owner_ Who manages the requesters (the AVS's governance).
    constructor(IAllocationManager allocationManager_, address avs_, address owner_) Ownable(owner_) {
        if (address(allocationManager_) == address(0) || avs_ == address(0)) revert ZeroAddress();
        allocationManager = allocationManager_;
        avs = avs_;
    }

    /// @inheritdoc ISlasher
    function setSlashRequester(address requester, bool allowed) external onlyOwner {
        if (requester == address(0)) revert ZeroAddress();
        isSlashRequester[requester] = allowed;
        emit SlashRequesterSet(requester, allowed);
    }

    /// @dev Rejects requests the AllocationManager would reject for their shape, so a queued request
    /// fails early rather than at execution.
    function _checkShape(IAllocationManagerTypes.SlashingParams calldata params) internal pure {
        uint256 n = params.strategies.length;
        if (n == 0 || n != params.wadsToSlash.length) revert InvalidSlashRequest(n, params.wadsToSlash.length);
    }

    /// @dev Assigns the next request id.
    function _nextRequestId() internal returns (uint256 requestId) {
        requestId = ++requestCount;
    }

    /// @dev Calls the AllocationManager and reports the outcome. Reverts bubble up unchanged, so the caller
    /// sees the AllocationManager's own error (e.g. OperatorNotSlashable).
    function _execute(
        uint256 requestId,
        IAllocationManagerTypes.SlashingParams memory params
    ) internal returns (uint256 slashId, uint256[] memory shares) {
        (slashId, shares) = allocationManager.slashOperator(avs, params);
        emit SlashExecuted(requestId, params.operator, params.operatorSetId, slashId, shares);
    }
}
