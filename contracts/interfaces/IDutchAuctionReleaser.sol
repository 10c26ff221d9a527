// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IReleaser} from "./IReleaser.sol";

/// @title IDutchAuctionReleaser
/// @notice The descending-price releaser for thin markets: the EIGEN price of the jar starts at `startPrice`
/// when an auction starts and falls linearly to `floorPrice` over `duration` seconds, then stays there. The
/// first buyer takes the lot at the current price and a new auction starts at once.
interface IDutchAuctionReleaser is IReleaser {
    /// @notice The price curve of every auction.
    struct AuctionParameters {
        uint128 startPrice;
        uint128 floorPrice;
        uint64 duration;
    }

    /// @notice Thrown when the floor is zero, the floor exceeds the start price, or the duration is zero.
    error InvalidAuctionParameters(uint256 startPrice, uint256 floorPrice, uint256 duration);
    /// @notice Thrown when `priceAt` is asked about a time before the current auction started.
    error BeforeAuctionStart(uint256 timestamp, uint256 auctionStart);

    /// @notice Emitted when governance changes the curve; `nonce` is the new nonce buyers must use.
    event AuctionParametersSet(uint256 startPrice, uint256 floorPrice, uint256 duration, uint256 nonce);
    /// @notice Emitted when an auction starts (at deployment, after each sale, on a change of the curve).
    event AuctionStarted(uint256 startTime);

    /// @notice The current price curve.
    function parameters() external view returns (AuctionParameters memory);

    /// @notice When the current auction started (unix seconds).
    function auctionStart() external view returns (uint256);

    /// @notice The price of the current auction at `timestamp` (not before `auctionStart()`).
    function priceAt(uint256 timestamp) external view returns (uint256);

    /// @notice Sets the price curve, restarts the auction and bumps the nonce. Only governance (owner).
    function setAuctionParameters(AuctionParameters calldata newParameters) external;
}
