// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {IProtocolFee} from "../../../contracts/interfaces/IProtocolFee.sol";
import {ProtocolFee} from "../../../contracts/fees/ProtocolFee.sol";
import {FeesBase} from "./FeesBase.sol";

contract ProtocolFeeTest is FeesBase {
    ProtocolFee internal protocolFee;
    /// @dev Plays an AVS contract that was paid and now hands the protocol its share.
    address internal avs = makeAddr("avs");

    function setUp() public {
        _deployTokensAndJar();
        protocolFee = new ProtocolFee(governance, address(jar), 2000);
        vm.prank(payer);
        usdc.transfer(avs, 1e24);
        vm.prank(avs);
        usdc.approve(address(protocolFee), type(uint256).max);
        vm.deal(avs, 1000 ether);
    }

    function test_defaultIsTwentyPercent() public view {
        assertEq(protocolFee.feeBips(), protocolFee.DEFAULT_FEE_BIPS());
        assertEq(protocolFee.feeBips(), 2000);
        assertEq(protocolFee.feeOf(1000e6), 200e6);
    }

    function test_collectTokenFeePaysTheJarAndReturnsNet() public {
        vm.expectEmit(address(protocolFee));
        emit IProtocolFee.FeeCollected(avs, address(usdc), 1000e6, 200e6);
        vm.prank(avs);
        uint256 net = protocolFee.collectFee(address(usdc), 1000e6);
        assertEq(net, 800e6);
        assertEq(usdc.balanceOf(address(jar)), 200e6);
        assertEq(usdc.balanceOf(avs), 1e24 - 200e6);
    }

    function test_collectEthFeeForwardsValueToTheJar() public {
        vm.prank(avs);
        uint256 net = protocolFee.collectFee{value: 2 ether}(address(0), 10 ether);
        assertEq(net, 8 ether);
        assertEq(address(jar).balance, 2 ether);
        assertEq(address(protocolFee).balance, 0);
    }

    function testFuzz_feeIsExactlyTheConfiguredFraction(uint256 amount, uint16 bips) public {
        amount = bound(amount, 0, 1e24);
        bips = uint16(bound(bips, 0, protocolFee.MAX_FEE_BIPS()));
        vm.prank(governance);
        protocolFee.setFeeBips(bips);
        uint256 jarBefore = usdc.balanceOf(address(jar));
        vm.prank(avs);
        uint256 net = protocolFee.collectFee(address(usdc), amount);
        uint256 fee = usdc.balanceOf(address(jar)) - jarBefore;
        assertEq(fee + net, amount);
        // fee = floor(amount * bips / 10_000): within one unit below the exact fraction, never above.
        assertLe(fee * 10_000, amount * bips);
        assertLt(amount * bips - fee * 10_000, 10_000);
    }

    function test_wrongEthValueReverts() public {
        vm.expectRevert(abi.encodeWithSelector(IProtocolFee.NativeValueMismatch.selector, 2 ether, 1 ether));
        vm.prank(avs);
        protocolFee.collectFee{value: 1 ether}(address(0), 10 ether);
        // ETH sent along with a token fee is refused too.
        vm.expectRevert(abi.encodeWithSelector(IProtocolFee.NativeValueMismatch.selector, 0, 1));
        vm.prank(avs);
        protocolFee.collectFee{value: 1}(address(usdc), 10e6);
    }

    function test_callerWithoutApprovalPaysNothing() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(protocolFee), 0, 200e6)
        );
        vm.prank(payer);
        protocolFee.collectFee(address(usdc), 1000e6);
    }

    function test_feeAboveMaximumReverts() public {
        vm.expectRevert(abi.encodeWithSelector(IProtocolFee.FeeTooHigh.selector, 5001, 5000));
        vm.prank(governance);
        protocolFee.setFeeBips(5001);
        vm.expectRevert(abi.encodeWithSelector(IProtocolFee.FeeTooHigh.selector, 10_000, 5000));
        new ProtocolFee(governance, address(jar), 10_000);
    }

    function test_zeroJarReverts() public {
        vm.expectRevert(IProtocolFee.InputAddressZero.selector);
        vm.prank(governance);
        protocolFee.setJar(address(0));
        vm.expectRevert(IProtocolFee.InputAddressZero.selector);
        new ProtocolFee(governance, address(0), 2000);
    }

    function test_onlyGovernanceChangesFeeAndJar() public {
        vm.startPrank(avs);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, avs));
        protocolFee.setFeeBips(0);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, avs));
        protocolFee.setJar(avs);
        vm.stopPrank();
    }

    function test_governanceMovesTheJar() public {
        address newJar = makeAddr("newJar");
        vm.expectEmit(address(protocolFee));
        emit IProtocolFee.JarSet(address(jar), newJar);
        vm.prank(governance);
        protocolFee.setJar(newJar);
        vm.prank(avs);
        protocolFee.collectFee(address(usdc), 100);
        assertEq(usdc.balanceOf(newJar), 20);
    }

    function test_zeroFeeMovesNothing() public {
        vm.prank(governance);
        protocolFee.setFeeBips(0);
        vm.prank(payer); // no approval needed when the fee is zero
        assertEq(protocolFee.collectFee(address(usdc), 1000e6), 1000e6);
        assertEq(usdc.balanceOf(address(jar)), 0);
    }
}
