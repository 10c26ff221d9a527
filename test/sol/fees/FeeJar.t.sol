// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";

import {IFeeJar} from "../../../contracts/interfaces/IFeeJar.sol";
import {FeesBase, NoEthReceiver} from "./FeesBase.sol";

contract FeeJarTest is FeesBase {
    address internal releaser = makeAddr("releaser");
    address internal recipient = makeAddr("recipient");

    function setUp() public {
        _deployTokensAndJar();
        vm.prank(governance);
        jar.setReleaser(releaser);
    }

    function test_acceptsEthAndTokensFromAnyone() public {
        _fillJar(3 ether, 500e6, 2 ether);
        assertEq(jar.balanceOf(address(0)), 3 ether);
        assertEq(jar.balanceOf(address(usdc)), 500e6);
        assertEq(jar.balanceOf(address(weth)), 2 ether);
    }

    function test_releaserTakesEntireBalanceOfEachNamedAsset() public {
        _fillJar(3 ether, 500e6, 2 ether);
        vm.expectEmit(address(jar));
        emit IFeeJar.Released(releaser, recipient, address(0), 3 ether);
        vm.expectEmit(address(jar));
        emit IFeeJar.Released(releaser, recipient, address(usdc), 500e6);
        vm.prank(releaser);
        address[] memory assets = new address[](2);
        assets[0] = address(0);
        assets[1] = address(usdc);
        uint256[] memory amounts = jar.release(assets, recipient);
        assertEq(amounts[0], 3 ether);
        assertEq(amounts[1], 500e6);
        assertEq(recipient.balance, 3 ether);
        assertEq(usdc.balanceOf(recipient), 500e6);
        // Assets not named stay in the jar.
        assertEq(jar.balanceOf(address(weth)), 2 ether);
        assertEq(jar.balanceOf(address(0)), 0);
    }

    function test_repeatedAssetPaysOutZeroTheSecondTime() public {
        _fillJar(0, 500e6, 0);
        address[] memory assets = new address[](2);
        assets[0] = address(usdc);
        assets[1] = address(usdc);
        vm.prank(releaser);
        uint256[] memory amounts = jar.release(assets, recipient);
        assertEq(amounts[0], 500e6);
        assertEq(amounts[1], 0);
        assertEq(usdc.balanceOf(recipient), 500e6);
    }

    function testFuzz_onlyReleaserDrainsTheJar(address caller) public {
        vm.assume(caller != releaser);
        _fillJar(1 ether, 1e6, 1e6);
        vm.expectRevert(abi.encodeWithSelector(IFeeJar.OnlyReleaser.selector, caller, releaser));
        vm.prank(caller);
        jar.release(_assets3(), caller);
    }

    function test_governanceCannotReleaseEither() public {
        vm.expectRevert(abi.encodeWithSelector(IFeeJar.OnlyReleaser.selector, governance, releaser));
        vm.prank(governance);
        jar.release(_assets3(), governance);
    }

    function test_zeroReleaserSwitchesReleasesOff() public {
        vm.prank(governance);
        jar.setReleaser(address(0));
        vm.expectRevert(abi.encodeWithSelector(IFeeJar.OnlyReleaser.selector, releaser, address(0)));
        vm.prank(releaser);
        jar.release(_assets3(), recipient);
    }

    function test_releaseToZeroRecipientReverts() public {
        vm.expectRevert(IFeeJar.RecipientZero.selector);
        vm.prank(releaser);
        jar.release(_assets3(), address(0));
    }

    function test_onlyGovernanceSetsTheReleaser() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, releaser));
        vm.prank(releaser);
        jar.setReleaser(releaser);
    }

    function test_setReleaserEmitsOldAndNew() public {
        address next = makeAddr("next");
        vm.expectEmit(address(jar));
        emit IFeeJar.ReleaserSet(releaser, next);
        vm.prank(governance);
        jar.setReleaser(next);
        assertEq(jar.releaser(), next);
    }

    function test_ethPayoutToRejectingRecipientRevertsWholeRelease() public {
        _fillJar(1 ether, 1e6, 0);
        address rejecting = address(new NoEthReceiver());
        vm.expectRevert(Errors.FailedCall.selector);
        vm.prank(releaser);
        jar.release(_assets3(), rejecting);
        assertEq(jar.balanceOf(address(usdc)), 1e6);
        assertEq(jar.balanceOf(address(0)), 1 ether);
    }
}
