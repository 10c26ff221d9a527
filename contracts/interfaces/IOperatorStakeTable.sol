// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IOperatorStakeTable
/// @notice Per-block history of each operator's signing weight in one operator set and of the total,
/// read by certificate verifiers at a certificate's reference block.
interface IOperatorStakeTable {
    /// @notice The operator's weight at the end of `blockNumber`.
    function operatorStakeAt(address operator, uint32 blockNumber) external view returns (uint256);

    /// @notice The sum of all members' weights at the end of `blockNumber`.
    function totalStakeAt(uint32 blockNumber) external view returns (uint256);
}
