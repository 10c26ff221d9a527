// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IProtocolFee
/// @notice The protocol's share of every fee paid to vcloud's AVSs (DA, TEE tasks, inference) and of
/// opted-in rewards submissions: `feeBips / 10_000` of the amount (20% by default, at most
/// `MAX_FEE_BIPS`, set by governance), paid straight into the fee jar.
/// @dev How an AVS contract uses it, for an ERC-20 payment of `amount` it holds:
/// `token.forceApprove(address(protocolFee), protocolFee.feeOf(amount)); net = protocolFee.collectFee(token, amount);`
/// and for ETH: `net = protocolFee.collectFee{value: protocolFee.feeOf(amount)}(address(0), amount);`
/// The caller keeps `net = amount - fee`.
interface IProtocolFee {
    /// @notice Thrown when governance sets a fee above `MAX_FEE_BIPS`.
    error FeeTooHigh(uint256 feeBips, uint256 maxFeeBips);
    /// @notice Thrown when the ETH sent with `collectFee` is not exactly the fee (or is sent with a token fee).
    error NativeValueMismatch(uint256 expected, uint256 given);
    /// @notice Thrown when the jar address is zero.
    error InputAddressZero();

    /// @notice Emitted when governance changes the fee.
    event FeeBipsSet(uint256 previousFeeBips, uint256 newFeeBips);
    /// @notice Emitted when governance points the fee at another jar.
    event JarSet(address indexed previousJar, address indexed newJar);
    /// @notice Emitted when `payer` pays `fee` of `amount` of `token` (`address(0)` = ETH) into the jar.
    event FeeCollected(address indexed payer, address indexed token, uint256 amount, uint256 fee);

    /// @notice The highest fee governance may set, in basis points (5000 = 50%).
    function MAX_FEE_BIPS() external view returns (uint16);

    /// @notice Where fees go.
    function jar() external view returns (address);

    /// @notice The protocol fee in basis points of the amount.
    function feeBips() external view returns (uint16);

    /// @notice The fee on `amount`: `floor(amount * feeBips / 10_000)`.
    function feeOf(uint256 amount) external view returns (uint256);

    /// @notice Takes the protocol fee on `amount` of `token` from the caller and pays it into the jar.
    /// For an ERC-20 the fee is pulled with `transferFrom` (approve `feeOf(amount)` first); for ETH
    /// (`token == address(0)`) `msg.value` must equal `feeOf(amount)`.
    /// @return net What the caller keeps: `amount - feeOf(amount)`.
    function collectFee(address token, uint256 amount) external payable returns (uint256 net);

    /// @notice Sets the fee in basis points, at most `MAX_FEE_BIPS`. Only governance (owner).
    function setFeeBips(uint16 newFeeBips) external;

    /// @notice Points the fee at another jar. Only governance (owner).
    function setJar(address newJar) external;
}
