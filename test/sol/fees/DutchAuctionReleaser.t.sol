// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IDutchAuctionReleaser} from "../../../contracts/interfaces/IDutchAuctionReleaser.sol";
import {IReleaser} from "../../../contracts/interfaces/IReleaser.sol";
import {DutchAuctionReleaser} from "../../../contracts/fees/DutchAuctionReleaser.sol";
import {FeesBase} from "./FeesBase.sol";

contract DutchAuctionReleaserTest is FeesBase {
    uint128 internal constant START = 10_000 ether;
    uint128 internal constant FLOOR = 1_000 ether;
    uint64 internal constant DURATION = 1 days;
    DutchAuctionReleaser internal auction;

    function setUp() public {
        vm.warp(1_700_000_000);
        _deployTokensAndJar();
        auction = new DutchAuctionReleaser(governance, jar, _burnable(), _params(START, FLOOR, DURATION));
        vm.prank(governance);
        jar.setReleaser(address(auction));
        _fillJar(5 ether, 1000e6, 0);
        vm.prank(searcher);
        eigen.approve(address(auction), type(uint256).max);
        vm.prank(rival);
        eigen.approve(address(auction), type(uint256).max);
    }

    function _params(
        uint128 start,
        uint128 floor,
        uint64 duration
    ) internal pure returns (IDutchAuctionReleaser.AuctionParameters memory) {
        return IDutchAuctionReleaser.AuctionParameters({startPrice: start, floorPrice: floor, duration: duration});
    }

    function test_priceStartsAtStartAndReachesFloorAfterDuration() public {
        assertEq(auction.currentPrice(), START);
        vm.warp(block.timestamp + DURATION / 2);
        assertEq(auction.currentPrice(), (START + FLOOR) / 2);
        vm.warp(block.timestamp + DURATION / 2);
        assertEq(auction.currentPrice(), FLOOR);
        vm.warp(block.timestamp + 365 days);
        assertEq(auction.currentPrice(), FLOOR);
    }

    function testFuzz_priceCurveIsMonotoneBoundedAndLinear(
        uint128 start,
        uint128 floor,
        uint64 duration,
        uint64 t1,
        uint64 t2
    ) public {
        floor = uint128(bound(floor, 1, type(uint128).max));
        start = uint128(bound(start, floor, type(uint128).max));
        duration = uint64(bound(duration, 1, 10 * 365 days));
        (t1, t2) = t1 <= t2 ? (t1, t2) : (t2, t1);
        vm.prank(governance);
        auction.setAuctionParameters(_params(start, floor, duration));
        uint256 t0 = auction.auctionStart();
        uint256 p1 = auction.priceAt(t0 + t1);
        uint256 p2 = auction.priceAt(t0 + t2);
        // Never above the start, never below the floor, never rising.
        assertLe(p1, start);
        assertGe(p2, floor);
        assertGe(p1, p2);
        assertEq(auction.priceAt(t0), start);
        // On the line through (0, start) and (duration, floor), rounded up by less than 1 wei.
        if (t1 < duration) {
            uint256 exactTimesDuration = uint256(floor) * duration + uint256(start - floor) * (duration - t1);
            assertGe(p1 * duration, exactTimesDuration);
            assertLt(p1 * duration - exactTimesDuration, duration);
        } else {
            assertEq(p1, floor);
        }
    }

    function testFuzz_buyerBurnsExactlyTheCurrentPrice(uint64 wait) public {
        wait = uint64(bound(wait, 0, 2 * DURATION));
        vm.warp(block.timestamp + wait);
        uint256 price = auction.currentPrice();
        uint256 supplyBefore = eigen.totalSupply();
        vm.prank(searcher);
        uint256 burned = auction.release(0, _assets3(), searcher);
        assertEq(burned, price);
        assertEq(eigen.totalSupply(), supplyBefore - price);
        assertEq(searcher.balance, 5 ether);
        assertEq(usdc.balanceOf(searcher), 1000e6);
    }

    function test_saleRestartsTheAuctionAtTheStartPrice() public {
        vm.warp(block.timestamp + DURATION);
        vm.prank(searcher);
        assertEq(auction.release(0, _assets3(), searcher), FLOOR);
        assertEq(auction.auctionStart(), block.timestamp);
        assertEq(auction.currentPrice(), START);
        assertEq(auction.nonce(), 1);
    }

    function test_frontRunSaleMakesTheVictimsNonceStale() public {
        vm.warp(block.timestamp + DURATION);
        vm.prank(rival);
        auction.release(0, _assets3(), rival);
        // Without the nonce the victim would now pay the restarted (start) price for an empty jar.
        vm.expectRevert(abi.encodeWithSelector(IReleaser.InvalidNonce.selector, 1, 0));
        vm.prank(searcher);
        auction.release(0, _assets3(), searcher);
    }

    function test_parameterChangeBumpsNonceAndRestarts() public {
        vm.warp(block.timestamp + 1 hours);
        vm.expectEmit(address(auction));
        emit IDutchAuctionReleaser.AuctionParametersSet(20_000 ether, 2_000 ether, 2 days, 1);
        vm.prank(governance);
        auction.setAuctionParameters(_params(20_000 ether, 2_000 ether, 2 days));
        assertEq(auction.nonce(), 1);
        assertEq(auction.auctionStart(), block.timestamp);
        assertEq(auction.currentPrice(), 20_000 ether);
        IDutchAuctionReleaser.AuctionParameters memory p = auction.parameters();
        assertEq(p.startPrice, 20_000 ether);
        assertEq(p.floorPrice, 2_000 ether);
        assertEq(p.duration, 2 days);
        vm.expectRevert(abi.encodeWithSelector(IReleaser.InvalidNonce.selector, 1, 0));
        vm.prank(searcher);
        auction.release(0, _assets3(), searcher);
    }

    function test_onlyGovernanceSetsParameters() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, searcher));
        vm.prank(searcher);
        auction.setAuctionParameters(_params(START, FLOOR, DURATION));
    }

    function test_invalidParametersRevert() public {
        vm.startPrank(governance);
        vm.expectRevert(
            abi.encodeWithSelector(IDutchAuctionReleaser.InvalidAuctionParameters.selector, START, 0, DURATION)
        );
        auction.setAuctionParameters(_params(START, 0, DURATION));
        vm.expectRevert(
            abi.encodeWithSelector(IDutchAuctionReleaser.InvalidAuctionParameters.selector, FLOOR, START, DURATION)
        );
        auction.setAuctionParameters(_params(FLOOR, START, DURATION));
        vm.expectRevert(
            abi.encodeWithSelector(IDutchAuctionReleaser.InvalidAuctionParameters.selector, START, FLOOR, 0)
        );
        auction.setAuctionParameters(_params(START, FLOOR, 0));
        vm.stopPrank();
        vm.expectRevert(
            abi.encodeWithSelector(IDutchAuctionReleaser.InvalidAuctionParameters.selector, START, FLOOR, 0)
        );
        new DutchAuctionReleaser(governance, jar, _burnable(), _params(START, FLOOR, 0));
    }

    function test_priceBeforeAuctionStartReverts() public {
        uint256 t0 = auction.auctionStart();
        vm.expectRevert(abi.encodeWithSelector(IDutchAuctionReleaser.BeforeAuctionStart.selector, t0 - 1, t0));
        auction.priceAt(t0 - 1);
    }

    function test_releaseChecksApplyToTheAuctionToo() public {
        vm.expectRevert(IReleaser.NoAssets.selector);
        vm.prank(searcher);
        auction.release(0, new address[](0), searcher);
        vm.expectRevert(abi.encodeWithSelector(IReleaser.TooManyAssets.selector, 21, 20));
        vm.prank(searcher);
        auction.release(0, new address[](21), searcher);
    }
}
