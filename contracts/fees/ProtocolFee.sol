// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {IProtocolFee} from "../interfaces/IProtocolFee.sol";
import {FeeMath} from "../libraries/FeeMath.sol";

/// @title ProtocolFee
/// @notice The protocol's cut of AVS service fees and opted-in rewards submissions: a governance-set
/// fraction (20% by default, at most 50%) paid straight from the payer into the fee jar. AVS contracts call
/// `collectFee` when they are paid; the caller keeps the net.
contract ProtocolFee is IProtocolFee, Ownable2Step {
    using SafeERC20 for IERC20;

    /// @inheritdoc IProtocolFee
    uint16 public constant MAX_FEE_BIPS = 5000;

    /// @notice The fee at deployment: 20%, as EigenLayer's `PROTOCOL_FEE_BIPS`.
    uint16 public constant DEFAULT_FEE_BIPS = 2000;

    /// @inheritdoc IProtocolFee
    address public jar;

    /// @inheritdoc IProtocolFee
    uint16 public feeBips;

    /// @param governance The owner, who sets the fee and the jar.
    /// @param initialJar The fee jar.
    /// @param initialFeeBips The fee in basis points (`DEFAULT_FEE_BIPS` is 2000), at most `MAX_FEE_BIPS`.
    constructor(address governance, address initialJar, uint16 initialFeeBips) Ownable(governance) {
        _setJar(initialJar);
        _setFeeBips(initialFeeBips);
    }

    /// @inheritdoc IProtocolFee
    function feeOf(uint256 amount) public view returns (uint256) {
        return FeeMath.feeRoundDown(amount, feeBips);
    }

    /// @inheritdoc IProtocolFee
    function collectFee(address token, uint256 amount) external payable returns (uint256 net) {
        uint256 fee = feeOf(amount);
        net = amount - fee;
        uint256 expectedValue = token == address(0) ? fee : 0;
        if (msg.value != expectedValue) revert NativeValueMismatch(expectedValue, msg.value);
        emit FeeCollected(msg.sender, token, amount, fee);
        if (fee == 0) return net;
        if (token == address(0)) Address.sendValue(payable(jar), fee);
        else IERC20(token).safeTransferFrom(msg.sender, jar, fee);
    }

    /// @inheritdoc IProtocolFee
    function setFeeBips(uint16 newFeeBips) external onlyOwner {
        _setFeeBips(newFeeBips);
    }

    /// @inheritdoc IProtocolFee
    function setJar(address newJar) external onlyOwner {
        _setJar(newJar);
    }

    function _setFeeBips(uint16 newFeeBips) internal {
        if (newFeeBips > MAX_FEE_BIPS) revert FeeTooHigh(newFeeBips, MAX_FEE_BIPS);
        emit FeeBipsSet(feeBips, newFeeBips);
        feeBips = newFeeBips;
    }

    function _setJar(address newJar) internal {
        if (newJar == address(0)) revert InputAddressZero();
        emit JarSet(jar, newJar);
        jar = newJar;
    }
}
