// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title FeeMath
/// @notice Basis-point fees. One basis point is 1/10_000.
library FeeMath {
    /// @notice 100% in basis points.
    uint256 internal constant BIPS_DENOMINATOR = 10_000;

    /// @notice `floor(amount * bips / 10_000)`: the fee rounds down, in the payer's favour, so
    /// `fee + net == amount` always holds with `net = amount - fee`.
    function feeRoundDown(uint256 amount, uint256 bips) internal pure returns (uint256) {
        return Math.mulDiv(amount, bips, BIPS_DENOMINATOR);
    }
}
