// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IFeeJar
/// @notice A passive sink for protocol fees (ETH and ERC-20s), in the style of Uniswap's TokenJar. Anyone may
/// pay into it; only its releaser (chosen by governance) may take assets out, and always the whole balance
/// of each asset it names. ETH is named by `address(0)`.
interface IFeeJar {
    /// @notice Thrown when an account other than the releaser calls `release`.
    error OnlyReleaser(address caller, address releaser);
    /// @notice Thrown when `release` is asked to pay out to the zero address.
    error RecipientZero();

    /// @notice Emitted when governance hands the releaser role to `newReleaser` (zero: nobody may release).
    event ReleaserSet(address indexed previousReleaser, address indexed newReleaser);
    /// @notice Emitted for each asset paid out by `release` (`asset == address(0)` for ETH).
    event Released(address indexed releaser, address indexed recipient, address indexed asset, uint256 amount);

    /// @notice The only account that may empty the jar; zero while releases are switched off.
    function releaser() external view returns (address);

    /// @notice Hands the releaser role to `newReleaser` (zero switches releases off). Only governance (owner).
    /// @dev This is how governance chooses between the fixed-threshold buyback and the Dutch auction.
    function setReleaser(address newReleaser) external;

    /// @notice Sends the jar's entire balance of each of `assets` to `recipient`. Only the releaser.
    /// @param assets ERC-20 token addresses, `address(0)` for ETH. A repeated asset pays out 0 the second time.
    /// @param recipient Who receives the assets; must not be zero.
    /// @return amounts The amount paid out for each entry of `assets`, in order.
    function release(address[] calldata assets, address recipient) external returns (uint256[] memory amounts);

    /// @notice The jar's balance of `asset` (`address(0)` for ETH).
    function balanceOf(address asset) external view returns (uint256);
}
