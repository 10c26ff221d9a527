// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBurnableToken} from "./IBurnableToken.sol";
import {IFeeJar} from "./IFeeJar.sol";

/// @title IReleaser
/// @notice A fee-jar releaser that sells the jar's contents for EIGEN, which it burns: whoever burns the
/// current price in EIGEN receives the entire balance of the jar assets they name (Uniswap Firepit style:
/// no DEX, no oracle). Buyers must commit to the current `nonce`; every sale and every change of the price
/// rules bumps it, so a buyer can never be front-run into paying for a jar that was just emptied or
/// into a price that governance just raised.
interface IReleaser {
    /// @notice Thrown when the nonce a buyer committed to is not the current one (someone released first, or
    /// the price rules changed).
    error InvalidNonce(uint256 expected, uint256 given);
    /// @notice Thrown when a release names no asset.
    error NoAssets();
    /// @notice Thrown when a release names more assets than `MAX_RELEASE_LENGTH`.
    error TooManyAssets(uint256 length, uint256 max);
    /// @notice Thrown when a constructor address argument is zero.
    error InputAddressZero();

    /// @notice Emitted on each sale: `buyer` burned `burned` EIGEN and `recipient` received `assets`.
    event Released(
        uint256 indexed nonce,
        address indexed buyer,
        address indexed recipient,
        uint256 burned,
        address[] assets
    );
    /// @notice Emitted when the nonce moves for a reason other than a sale (a change of the price rules).
    event NonceBumped(uint256 newNonce);

    /// @notice The fee jar this releaser empties.
    function JAR() external view returns (IFeeJar);

    /// @notice The token burned as payment (EIGEN).
    function BURN_TOKEN() external view returns (IBurnableToken);

    /// @notice The most assets one release may name.
    function MAX_RELEASE_LENGTH() external view returns (uint256);

    /// @notice The nonce the next release must commit to.
    function nonce() external view returns (uint256);

    /// @notice The EIGEN a release would burn if mined now.
    function currentPrice() external view returns (uint256);

    /// @notice Burns `currentPrice()` EIGEN from the caller (who must have approved this contract) and sends
    /// the jar's entire balance of each of `assets` to `recipient`.
    /// @param expectedNonce Must equal `nonce()`; protects the buyer against front-running.
    /// @param assets ERC-20 tokens (`address(0)` for ETH) to take, 1 to `MAX_RELEASE_LENGTH` of them.
    /// @param recipient Who receives the assets.
    /// @return burned The EIGEN burned.
    function release(
        uint256 expectedNonce,
        address[] calldata assets,
        address recipient
    ) external returns (uint256 burned);
}
