// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IReleaser} from "./IReleaser.sol";

/// @title IBuybackReleaser
/// @notice The fixed-price releaser (Uniswap Firepit): a release always burns `threshold` EIGEN.
interface IBuybackReleaser is IReleaser {
    /// @notice Thrown when governance tries to set a zero threshold (which would give the jar away).
    error ThresholdZero();

    /// @notice Emitted when governance changes the threshold; `nonce` is the new nonce buyers must use.
    event ThresholdSet(uint256 previousThreshold, uint256 newThreshold, uint256 nonce);

    /// @notice The EIGEN every release burns.
    function threshold() external view returns (uint256);

    /// @notice Sets the EIGEN every release burns and bumps the nonce. Only governance (owner).
    function setThreshold(uint256 newThreshold) external;
}
