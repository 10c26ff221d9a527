// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IPauserRegistry
/// @notice Who may pause and unpause vcloud's contracts. Pausing is fast (any pauser, e.g. a guardian
/// multisig); unpausing is slow (only the unpauser, e.g. governance behind a timelock).
interface IPauserRegistry {
    /// @notice Thrown when an address argument must be non-zero.
    error InputAddressZero();
    /// @notice Thrown when a caller that is not the unpauser tries an unpauser-only action.
    error OnlyUnpauser(address caller);

    /// @notice Emitted when `pauser` gains (`canPause == true`) or loses the pauser role.
    event PauserStatusChanged(address indexed pauser, bool canPause);
    /// @notice Emitted when the unpauser changes.
    event UnpauserChanged(address indexed previousUnpauser, address indexed newUnpauser);

    /// @notice Whether `account` may pause.
    function isPauser(address account) external view returns (bool);

    /// @notice The single account that may unpause and manage pausers.
    function unpauser() external view returns (address);

    /// @notice Grants or revokes the pauser role. Only the unpauser.
    function setIsPauser(address account, bool canPause) external;

    /// @notice Hands the unpauser role to `newUnpauser`. Only the unpauser.
    function setUnpauser(address newUnpauser) external;
}
