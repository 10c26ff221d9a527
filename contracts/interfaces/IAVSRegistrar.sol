// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IAVSRegistrar
/// @notice Callback an AVS implements so the AllocationManager can ask it to accept or refuse an operator
/// joining or leaving its operator sets (EigenLayer-compatible). Reverting refuses the change.
interface IAVSRegistrar {
    /// @notice Called by the AllocationManager when `operator` registers for `operatorSetIds` of `avs`.
    /// @dev Revert to refuse the registration; the whole registration then reverts.
    /// @param operator The registering operator.
    /// @param avs The AVS the sets belong to.
    /// @param operatorSetIds The sets the operator joins.
    /// @param data Arbitrary data the operator passed (e.g. keys, sockets).
    function registerOperator(
        address operator,
        address avs,
        uint32[] calldata operatorSetIds,
        bytes calldata data
    ) external;

    /// @notice Called by the AllocationManager when `operator` leaves `operatorSetIds` of `avs`.
    /// @param operator The deregistering operator.
    /// @param avs The AVS the sets belong to.
    /// @param operatorSetIds The sets the operator leaves.
    function deregisterOperator(address operator, address avs, uint32[] calldata operatorSetIds) external;

    /// @notice Whether this registrar serves `avs`; checked when an AVS sets it as its registrar.
    function supportsAVS(address avs) external view returns (bool);
}
