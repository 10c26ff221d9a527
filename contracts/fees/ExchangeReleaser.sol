// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IBurnableToken} from "../interfaces/IBurnableToken.sol";
import {IFeeJar} from "../interfaces/IFeeJar.sol";
import {IReleaser} from "../interfaces/IReleaser.sol";

/// @title ExchangeReleaser
/// @notice What every EIGEN-burning releaser shares: the nonce that protects buyers, the asset-count limit,
/// the burn, and the call into the jar. A concrete releaser only decides the price (`_takePrice`).
/// @dev Payment is `BURN_TOKEN.burnFrom(buyer, price)` (OpenZeppelin ERC20Burnable), so EIGEN's total supply
/// falls by exactly the price; the buyer approves this contract for at least the price first.
abstract contract ExchangeReleaser is IReleaser, Ownable2Step, ReentrancyGuard {
    /// @inheritdoc IReleaser
    uint256 public constant MAX_RELEASE_LENGTH = 20;

    /// @inheritdoc IReleaser
    IFeeJar public immutable JAR;

    /// @inheritdoc IReleaser
    IBurnableToken public immutable BURN_TOKEN;

    /// @inheritdoc IReleaser
    uint256 public nonce;

    /// @param governance The owner, who sets the price rules.
    /// @param jar The fee jar to empty (it must name this contract as its releaser).
    /// @param burnToken EIGEN.
    constructor(address governance, IFeeJar jar, IBurnableToken burnToken) Ownable(governance) {
        if (address(jar) == address(0) || address(burnToken) == address(0)) revert InputAddressZero();
        JAR = jar;
        BURN_TOKEN = burnToken;
    }

    /// @inheritdoc IReleaser
    function release(
        uint256 expectedNonce,
        address[] calldata assets,
        address recipient
    ) external nonReentrant returns (uint256 burned) {
        if (expectedNonce != nonce) revert InvalidNonce(nonce, expectedNonce);
        if (assets.length == 0) revert NoAssets();
        if (assets.length > MAX_RELEASE_LENGTH) revert TooManyAssets(assets.length, MAX_RELEASE_LENGTH);
        burned = _takePrice();
        nonce = expectedNonce + 1;
        emit Released(expectedNonce, msg.sender, recipient, burned, assets);
        BURN_TOKEN.burnFrom(msg.sender, burned);
        JAR.release(assets, recipient);
    }

    /// @inheritdoc IReleaser
    function currentPrice() public view virtual returns (uint256);

    /// @dev Returns the price of the sale happening now and updates any pricing state a sale changes.
    function _takePrice() internal virtual returns (uint256 price);

    /// @dev Invalidates every pending buyer commitment; called whenever the price rules change.
    function _bumpNonce() internal {
        uint256 newNonce = nonce + 1;
        nonce = newNonce;
        emit NonceBumped(newNonce);
    }
}
