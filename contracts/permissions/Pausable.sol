// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IPausable} from "../interfaces/IPausable.sol";
import {IPauserRegistry} from "../interfaces/IPauserRegistry.sol";

/// @title Pausable
/// @notice Per-function pause flags in one bitmap, driven by a shared PauserRegistry. Pausers can only
/// set bits (fast, safe), the unpauser can only clear them (slow, governed).
/// @dev Works behind proxies: the registry is immutable, the bitmap lives in this contract's storage.
abstract contract Pausable is IPausable {
    uint256 internal constant _UNPAUSE_ALL = 0;
    uint256 internal constant _PAUSE_ALL = type(uint256).max;

    /// @inheritdoc IPausable
    IPauserRegistry public immutable pauserRegistry;

    uint256 private _paused;

    modifier onlyPauser() {
        if (!pauserRegistry.isPauser(msg.sender)) revert OnlyPauser(msg.sender);
        _;
    }

    modifier onlyUnpauser() {
        if (msg.sender != pauserRegistry.unpauser()) revert OnlyUnpauser(msg.sender);
        _;
    }

    /// @dev Reverts when function group `index` is paused.
    modifier onlyWhenNotPaused(uint8 index) {
        _checkNotPaused(index);
        _;
    }

    constructor(IPauserRegistry registry) {
        if (address(registry) == address(0)) revert InputAddressZero();
        pauserRegistry = registry;
    }

    /// @inheritdoc IPausable
    function pause(uint256 newPausedStatus) external onlyPauser {
        uint256 current = _paused;
        if ((current & newPausedStatus) != current) revert InvalidNewPausedStatus(current, newPausedStatus);
        _setPausedStatus(newPausedStatus);
        emit Paused(msg.sender, newPausedStatus);
    }

    /// @inheritdoc IPausable
    function pauseAll() external onlyPauser {
        _setPausedStatus(_PAUSE_ALL);
        emit Paused(msg.sender, _PAUSE_ALL);
    }

    /// @inheritdoc IPausable
    function unpause(uint256 newPausedStatus) external onlyUnpauser {
        uint256 current = _paused;
        if ((~current & ~newPausedStatus) != ~current) revert InvalidNewPausedStatus(current, newPausedStatus);
        _setPausedStatus(newPausedStatus);
        emit Unpaused(msg.sender, newPausedStatus);
    }

    /// @inheritdoc IPausable
    function paused() public view returns (uint256) {
        return _paused;
    }

    /// @inheritdoc IPausable
    function paused(uint8 index) public view returns (bool) {
        return (_paused >> index) & 1 == 1;
    }

    /// @dev Sets the initial bitmap, e.g. in an initializer; bypasses the pauser check.
    function _setPausedStatus(uint256 pausedStatus) internal {
        _paused = pausedStatus;
    }

    function _checkNotPaused(uint8 index) internal view {
        if (paused(index)) revert CurrentlyPaused(index);
    }
}
