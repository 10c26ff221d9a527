// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IAllocationManager, IAllocationManagerTypes} from "../interfaces/IAllocationManager.sol";
import {IInstantSlasher} from "../interfaces/IInstantSlasher.sol";
import {SlasherBase} from "./SlasherBase.sol";

/// @title InstantSlasher
/// @notice Forwards a slash request to the AllocationManager in the same transaction. Requesters are
/// contracts that have already verified a fault objectively (DA, TEE and inference challenges).
contract InstantSlasher is IInstantSlasher, SlasherBase {
    /// @param allocationManager_ The AllocationManager.
    /// @param avs_ The AVS whose operator sets name this contract as slasher.
    /// @param owner_ Who manages the requesters.
    constructor(
        IAllocationManager allocationManager_,
        address avs_,
        address owner_
    ) SlasherBase(allocationManager_, avs_, owner_) {}

    /// @inheritdoc IInstantSlasher
    function slash(
        IAllocationManagerTypes.SlashingParams calldata params
    ) external onlySlashRequester returns (uint256 requestId, uint256 slashId, uint256[] memory shares) {
        _checkShape(params);
        requestId = _nextRequestId();
        (slashId, shares) = _execute(requestId, params);
    }
}
