// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title CallForwarder
/// @notice Test helper standing for a Safe, a multicall or any contract that calls another on a user's
/// behalf: it forwards calldata and value to a target, so the target sees this contract as the caller
/// and the transaction's own calldata is `execute`'s, not the target's.
contract CallForwarder {
    /// @notice Calls `target` with `data` and the attached value; bubbles up a revert; refunds are kept.
    function execute(address target, bytes calldata data) external payable returns (bytes memory) {
        return Address.functionCallWithValue(target, data, msg.value);
    }

    /// @notice Accepts refunds (e.g. an overpaid fee).
    receive() external payable {}
}
