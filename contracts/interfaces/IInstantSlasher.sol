// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IAllocationManagerTypes} from "./IAllocationManager.sol";
import {ISlasher} from "./ISlasher.sol";

/// @title IInstantSlasher
/// @notice A slasher that forwards a requester's slash to the AllocationManager at once. Suited to
/// objectively provable faults (a failed DA proof, a bad TEE attestation, a replayed inference mismatch)
/// whose requester is itself a contract that checked the proof.
interface IInstantSlasher is ISlasher {
    /// @notice Slashes `params.operator` in set (`avs`, `params.operatorSetId`) now. Only a slash requester.
    /// @return requestId This slasher's request id.
    /// @return slashId The set's slash id.
    /// @return shares The shares recorded for burning or redistribution, per strategy.
    function slash(
        IAllocationManagerTypes.SlashingParams calldata params
    ) external returns (uint256 requestId, uint256 slashId, uint256[] memory shares);
}
