// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IPauserRegistry} from "../interfaces/IPauserRegistry.sol";

/// @title PauserRegistry
/// @notice Holds the pauser set and the unpauser shared by every pausable vcloud contract.
contract PauserRegistry is IPauserRegistry {
    /// @inheritdoc IPauserRegistry
    mapping(address account => bool canPause) public isPauser;

    /// @inheritdoc IPauserRegistry
    address public unpauser;

    modifier onlyUnpauser() {
        if (msg.sender != unpauser) revert OnlyUnpauser(msg.sender);
        _;
    }

    /// @param pausers Accounts that may pause from the start.
    /// @param initialUnpauser The account that may unpause and manage pausers.
    constructor(address[] memory pausers, address initialUnpauser) {
        for (uint256 i = 0; i < pausers.length; ++i) {
            _setIsPauser(pausers[i], true);
        }
        _setUnpauser(initialUnpauser);
    }

    /// @inheritdoc IPauserRegistry
    function setIsPauser(address account, bool canPause) external onlyUnpauser {
        _setIsPauser(account, canPause);
    }

    /// @inheritdoc IPauserRegistry
    function setUnpauser(address newUnpauser) external onlyUnpauser {
        _setUnpauser(newUnpauser);
    }

    function _setIsPauser(address account, bool canPause) internal {
        if (account == address(0)) revert InputAddressZero();
        isPauser[account] = canPause;
        emit PauserStatusChanged(account, canPause);
    }

    function _setUnpauser(address newUnpauser) internal {
        if (newUnpauser == address(0)) revert InputAddressZero();
        emit UnpauserChanged(unpauser, newUnpauser);
        unpauser = newUnpauser;
    }
}
