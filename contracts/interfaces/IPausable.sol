// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IPauserRegistry} from "./IPauserRegistry.sol";

/// @title IPausable
/// @notice Per-function pause flags kept in one bitmap: bit `i` set means function group `i` is paused.
interface IPausable {
    /// @notice Thrown when the caller is not a pauser of the registry.
    error OnlyPauser(address caller);
    /// @notice Thrown when the caller is not the registry's unpauser.
    error OnlyUnpauser(address caller);
    /// @notice Thrown when a paused function is called.
    error CurrentlyPaused(uint8 index);
    /// @notice Thrown when `pause` would clear a bit or `unpause` would set one.
    error InvalidNewPausedStatus(uint256 current, uint256 requested);
    /// @notice Thrown when the pauser registry address is zero.
    error InputAddressZero();

    /// @notice Emitted when bits are set in the pause bitmap.
    event Paused(address indexed account, uint256 newPausedStatus);
    /// @notice Emitted when bits are cleared in the pause bitmap.
    event Unpaused(address indexed account, uint256 newPausedStatus);

    /// @notice The registry that decides who may pause and unpause.
    function pauserRegistry() external view returns (IPauserRegistry);

    /// @notice Sets more bits of the pause bitmap; may never clear one. Only pausers.
    function pause(uint256 newPausedStatus) external;

    /// @notice Sets every bit of the pause bitmap. Only pausers.
    function pauseAll() external;

    /// @notice Clears bits of the pause bitmap; may never set one. Only the unpauser.
    function unpause(uint256 newPausedStatus) external;

    /// @notice The whole pause bitmap.
    function paused() external view returns (uint256);

    /// @notice Whether function group `index` is paused.
    function paused(uint8 index) external view returns (bool);
}
