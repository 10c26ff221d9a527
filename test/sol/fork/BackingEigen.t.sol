// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IBackingEigenErrors} from "../../../contracts/interfaces/IBackingEigen.sol";
import {ForkFixture} from "./ForkFixture.sol";

contract BackingEigenTest is ForkFixture {
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function test_clockIsTimestamp() public view {
        assertEq(bEigen.clock(), block.timestamp);
        assertEq(bEigen.CLOCK_MODE(), "mode=timestamp");
    }

    function test_onlyGovernanceSetsMinters() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        bEigen.setIsMinter(alice, true);
        _govern(address(bEigen), abi.encodeCall(bEigen.setIsMinter, (alice, true)));
        assertTrue(bEigen.isMinter(alice));
        vm.prank(alice);
        bEigen.mint(bob, 5e18);
        assertEq(bEigen.balanceOf(bob), 5e18);
        assertEq(bEigen.totalSupply(), SUPPLY + 5e18);
    }

    function test_nonMinterCannotMint() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IBackingEigenErrors.NotMinter.selector, alice));
        bEigen.mint(alice, 1);
    }

    function test_burnReducesSupply() public {
        _give(alice, 10e18);
        vm.prank(alice);
        bEigen.burn(4e18);
        assertEq(bEigen.balanceOf(alice), 6e18);
        assertEq(bEigen.totalSupply(), SUPPLY - 4e18);
    }

    function test_pastBalanceIsTheBalanceAtTheEndOfThatBlock() public {
        uint256 t0 = block.timestamp;
        _give(alice, 10e18);
        vm.prank(alice);
        bEigen.transfer(bob, 3e18); // same block: the checkpoint at t0 is the final 7e18
        vm.warp(t0 + 10);
        vm.prank(alice);
        bEigen.transfer(bob, 7e18);
        vm.warp(t0 + 20);
        assertEq(bEigen.getPastBalance(alice, t0 - 1), 0);
        assertEq(bEigen.getPastBalance(alice, t0), 7e18);
        assertEq(bEigen.getPastBalance(alice, t0 + 9), 7e18);
        assertEq(bEigen.getPastBalance(alice, t0 + 10), 0);
        assertEq(bEigen.getPastBalance(bob, t0 + 10), 10e18);
        assertEq(bEigen.getPastTotalSupply(t0 + 10), SUPPLY);
    }

    function test_pastBalanceOfTheCurrentTimepointIsRefused() public {
        vm.expectRevert(
            abi.encodeWithSelector(IBackingEigenErrors.FutureLookup.selector, block.timestamp, uint48(block.timestamp))
        );
        bEigen.getPastBalance(alice, block.timestamp);
    }

    /// @dev Whatever sequence of transfers happens later, the past balance stays what it was.
    function testFuzz_pastBalanceIsImmutable(uint96 a, uint96 b, uint96 c) public {
        uint256 amountA = bound(a, 1, SUPPLY / 4);
        _give(alice, amountA);
        uint256 t0 = block.timestamp;
        vm.warp(t0 + 1);
        uint256 amountB = bound(b, 0, amountA);
        vm.prank(alice);
        bEigen.transfer(bob, amountB);
        vm.warp(t0 + 2);
        uint256 amountC = bound(c, 0, amountB);
        vm.prank(bob);
        bEigen.transfer(alice, amountC);
        vm.warp(t0 + 3);
        assertEq(bEigen.getPastBalance(alice, t0), amountA);
        assertEq(bEigen.getPastBalance(bob, t0), 0);
        assertEq(bEigen.getPastBalance(alice, t0 + 2), amountA - amountB + amountC);
        assertEq(bEigen.getPastBalance(bob, t0 + 2), amountB - amountC);
    }
}
