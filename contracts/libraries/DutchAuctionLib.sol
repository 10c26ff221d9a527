// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title DutchAuctionLib
/// @notice The price curve of the Dutch-auction buyback: linear from `startPrice` to `floorPrice` over
/// `duration` seconds, flat at the floor afterwards. Rounds up, in the protocol's favour.
library DutchAuctionLib {
    /// @notice `floor + ceil((start - floor) * (duration - elapsed) / duration)` while `elapsed < duration`,
    /// else `floor`. Requires `floor <= start` and `duration > 0` (the releaser enforces both).
    function linearPriceRoundUp(
        uint256 startPrice,
        uint256 floorPrice,
        uint256 duration,
        uint256 elapsed
    ) internal pure returns (uint256) {
        if (elapsed >= duration) return floorPrice;
        return floorPrice + Math.mulDiv(startPrice - floorPrice, duration - elapsed, duration, Math.Rounding.Ceil);
    }
}
