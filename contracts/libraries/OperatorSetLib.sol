// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice An operator set: an AVS address and an identifier chosen by that AVS.
/// @param avs The AVS that owns the set.
/// @param id The identifier of the set inside the AVS.
struct OperatorSet {
    address avs;
    uint32 id;
}

using OperatorSetLib for OperatorSet global;

/// @title OperatorSetLib
/// @notice Packs an operator set into one storage key, as EigenLayer does: `avs` in the high 160 bits,
/// `id` in the low 96 bits.
library OperatorSetLib {
    /// @notice The storage key of `os`.
    function key(OperatorSet memory os) internal pure returns (bytes32) {
        return bytes32(abi.encodePacked(os.avs, uint96(os.id)));
    }

    /// @notice The operator set stored under `key_`.
    function decode(bytes32 key_) internal pure returns (OperatorSet memory) {
        return OperatorSet({avs: address(uint160(uint256(key_) >> 96)), id: uint32(uint256(key_) & type(uint96).max)});
    }
}
