// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IFeeJar} from "../interfaces/IFeeJar.sol";

/// @title FeeJar
/// @notice Holds the protocol's fees in ETH and ERC-20s until its releaser (a buyback releaser chosen by
/// governance) sells them for burned EIGEN. Fees arrive by plain transfers; nothing here prices them.
contract FeeJar is IFeeJar, Ownable2Step, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @inheritdoc IFeeJar
    address public releaser;

    /// @param governance The owner, who chooses the releaser.
    /// @param initialReleaser The first releaser (may be zero: no releases until governance sets one).
    constructor(address governance, address initialReleaser) Ownable(governance) {
        _setReleaser(initialReleaser);
    }

    /// @notice Accepts ETH fees.
    receive() external payable {}

    /// @inheritdoc IFeeJar
    function setReleaser(address newReleaser) external onlyOwner {
        _setReleaser(newReleaser);
    }

    /// @inheritdoc IFeeJar
    function release(
        address[] calldata assets,
        address recipient
    ) external nonReentrant returns (uint256[] memory amounts) {
        if (msg.sender != releaser) revert OnlyReleaser(msg.sender, releaser);
        if (recipient == address(0)) revert RecipientZero();
        amounts = new uint256[](assets.length);
        for (uint256 i = 0; i < assets.length; ++i) {
            address asset = assets[i];
            uint256 amount = balanceOf(asset);
            amounts[i] = amount;
            emit Released(msg.sender, recipient, asset, amount);
            if (amount == 0) continue;
            if (asset == address(0)) Address.sendValue(payable(recipient), amount);
            else IERC20(asset).safeTransfer(recipient, amount);
        }
    }

    /// @inheritdoc IFeeJar
    function balanceOf(address asset) public view returns (uint256) {
        return asset == address(0) ? address(this).balance : IERC20(asset).balanceOf(address(this));
    }

    function _setReleaser(address newReleaser) internal {
        emit ReleaserSet(releaser, newReleaser);
        releaser = newReleaser;
    }
}
