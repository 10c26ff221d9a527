// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBurnableToken} from "../interfaces/IBurnableToken.sol";
import {IDutchAuctionReleaser} from "../interfaces/IDutchAuctionReleaser.sol";
import {IFeeJar} from "../interfaces/IFeeJar.sol";
import {IReleaser} from "../interfaces/IReleaser.sol";
import {DutchAuctionLib} from "../libraries/DutchAuctionLib.sol";
import {ExchangeReleaser} from "./ExchangeReleaser.sol";

/// @title DutchAuctionReleaser
/// @notice Descending-price buyback for thin markets: each auction's EIGEN price starts high and falls to a
/// floor, so the jar sells at about the market's valuation even when few searchers watch it. The first
/// buyer burns the current price, takes the lot (the jar assets they name), and a new auction starts.
contract DutchAuctionReleaser is IDutchAuctionReleaser, ExchangeReleaser {
    AuctionParameters internal _parameters;

    /// @inheritdoc IDutchAuctionReleaser
    uint256 public auctionStart;

    /// @param governance The owner, who sets the price curve.
    /// @param jar The fee jar to empty.
    /// @param burnToken EIGEN.
    /// @param initialParameters The first price curve; the first auction starts at deployment.
    constructor(
        address governance,
        IFeeJar jar,
        IBurnableToken burnToken,
        AuctionParameters memory initialParameters
    ) ExchangeReleaser(governance, jar, burnToken) {
        _setParameters(initialParameters);
        emit AuctionParametersSet(
            initialParameters.startPrice,
            initialParameters.floorPrice,
            initialParameters.duration,
            0
        );
        _startAuction();
    }

    /// @inheritdoc IDutchAuctionReleaser
    function setAuctionParameters(AuctionParameters calldata newParameters) external onlyOwner {
        _setParameters(newParameters);
        _bumpNonce();
        emit AuctionParametersSet(newParameters.startPrice, newParameters.floorPrice, newParameters.duration, nonce);
        _startAuction();
    }

    /// @inheritdoc IDutchAuctionReleaser
    function parameters() external view returns (AuctionParameters memory) {
        return _parameters;
    }

    /// @inheritdoc IDutchAuctionReleaser
    function priceAt(uint256 timestamp) public view returns (uint256) {
        uint256 start = auctionStart;
        if (timestamp < start) revert BeforeAuctionStart(timestamp, start);
        AuctionParameters memory p = _parameters;
        return DutchAuctionLib.linearPriceRoundUp(p.startPrice, p.floorPrice, p.duration, timestamp - start);
    }

    /// @notice The EIGEN a release burns now.
    function currentPrice() public view override(IReleaser, ExchangeReleaser) returns (uint256) {
        // the Dutch auction price decays over hours; seconds of leeway move it by a negligible step
        // solhint-disable-next-line not-rely-on-time
        return priceAt(block.timestamp);
    }

    function _takePrice() internal override returns (uint256 price) {
        price = currentPrice();
        _startAuction();
    }

    function _setParameters(AuctionParameters memory p) internal {
        if (p.floorPrice == 0 || p.floorPrice > p.startPrice || p.duration == 0) {
            revert InvalidAuctionParameters(p.startPrice, p.floorPrice, p.duration);
        }
        _parameters = p;
    }

    function _startAuction() internal {
        // the Dutch auction price decays over hours; seconds of leeway move it by a negligible step
        // solhint-disable-next-line not-rely-on-time
        auctionStart = block.timestamp;
        // the Dutch auction price decays over hours; seconds of leeway move it by a negligible step
        // solhint-disable-next-line not-rely-on-time
        emit AuctionStarted(block.timestamp);
    }
}
