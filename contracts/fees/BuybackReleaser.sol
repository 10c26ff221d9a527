// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBurnableToken} from "../interfaces/IBurnableToken.sol";
import {IBuybackReleaser} from "../interfaces/IBuybackReleaser.sol";
import {IFeeJar} from "../interfaces/IFeeJar.sol";
import {IReleaser} from "../interfaces/IReleaser.sol";
import {ExchangeReleaser} from "./ExchangeReleaser.sol";

/// @title BuybackReleaser
/// @notice Fixed-price buyback in the style of Uniswap's Firepit: whoever burns `threshold` EIGEN takes the
/// jar's entire balance of the assets they choose. Searchers release when the jar is worth more than the
/// threshold plus gas, so no DEX and no oracle are needed; governance tunes the threshold.
contract BuybackReleaser is IBuybackReleaser, ExchangeReleaser {
    /// @inheritdoc IBuybackReleaser
    uint256 public threshold;

    /// @param governance The owner, who sets the threshold.
    /// @param jar The fee jar to empty.
    /// @param burnToken EIGEN.
    /// @param initialThreshold The EIGEN each release burns; not zero.
    constructor(
        address governance,
        IFeeJar jar,
        IBurnableToken burnToken,
        uint256 initialThreshold
    ) ExchangeReleaser(governance, jar, burnToken) {
        if (initialThreshold == 0) revert ThresholdZero();
        threshold = initialThreshold;
        emit ThresholdSet(0, initialThreshold, 0);
    }

    /// @inheritdoc IBuybackReleaser
    function setThreshold(uint256 newThreshold) external onlyOwner {
        if (newThreshold == 0) revert ThresholdZero();
        uint256 previous = threshold;
        threshold = newThreshold;
        _bumpNonce();
        emit ThresholdSet(previous, newThreshold, nonce);
    }

    /// @notice The EIGEN a release burns now: the threshold.
    function currentPrice() public view override(IReleaser, ExchangeReleaser) returns (uint256) {
        return threshold;
    }

    function _takePrice() internal view override returns (uint256) {
        return threshold;
    }
}
