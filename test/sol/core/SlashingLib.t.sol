// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {SlashingLib, WAD} from "../../../contracts/libraries/SlashingLib.sol";

contract SlashingLibHarness {
    function update(uint256 prev, uint256 added, uint256 dsf, uint256 sf) external pure returns (uint256) {
        return SlashingLib.updateDepositScalingFactorRoundDown(prev, added, dsf, sf);
    }
}

/// @notice The share and magnitude maths, with their rounding directions.
contract SlashingLibTest is Test {
    using SlashingLib for uint256;

    SlashingLibHarness internal harness = new SlashingLibHarness();

    function test_roundingDirections() public pure {
        assertEq(uint256(3).mulWad(0.5e18), 1);
        assertEq(uint256(3).mulWadRoundUp(0.5e18), 2);
        assertEq(uint256(1).divWad(3e18), 0);
        assertEq(SlashingLib.scalingFactor(0), WAD);
    }

    function testFuzz_mulWadRoundUpIsFloorPlusAtMostOne(uint128 x, uint64 y) public pure {
        uint256 down = uint256(x).mulWad(y);
        uint256 up = uint256(x).mulWadRoundUp(y);
        assertLe(up - down, 1);
        assertGe(up, down);
    }

    /// @dev Slashing never takes more than the magnitude ratio and leaves operator shares rounded up.
    function testFuzz_calcSlashedAmountNeverOverslashes(uint128 shares, uint64 prevMax, uint64 newMax) public pure {
        prevMax = uint64(bound(prevMax, 1, WAD));
        newMax = uint64(bound(newMax, 0, prevMax));
        uint256 slashed = uint256(shares).calcSlashedAmountRoundDown(prevMax, newMax);
        assertLe(slashed, shares);
        // slashed <= shares * (prev - new) / prev, i.e. no over-slashing.
        assertLe(slashed * prevMax, uint256(shares) * (prevMax - newMax));
        // And at most one unit of under-slashing.
        assertLe(uint256(shares) * (prevMax - newMax), (slashed + 1) * prevMax);
    }

    /// @dev After a deposit the staker's withdrawable shares grow by the deposit, up to rounding down.
    function testFuzz_depositScalingFactorPreservesWithdrawable(uint96 prev, uint96 added, uint64 sf) public view {
        sf = uint64(bound(sf, 1e9, WAD));
        vm.assume(added > 0 && prev > 0);
        uint256 k1 = harness.update(0, prev, 0, sf);
        uint256 before = uint256(prev).calcWithdrawableRoundDown(k1, sf);
        assertLe(before, prev);
        uint256 k2 = harness.update(prev, added, k1, sf);
        uint256 afterDeposit = (uint256(prev) + added).calcWithdrawableRoundDown(k2, sf);
        assertLe(afterDeposit, before + added, "never mints value");
        // Rounding loss is tiny relative to the position.
        assertGe(afterDeposit + (uint256(prev) + added) / 1e8 + 2, before + added);
    }

    /// @dev Withdrawable shares fall exactly by the magnitude ratio (up to floor rounding).
    function testFuzz_withdrawableScalesWithMagnitude(uint96 deposit, uint64 m1, uint64 m2) public view {
        m1 = uint64(bound(m1, 1e9, WAD));
        m2 = uint64(bound(m2, 0, m1));
        uint256 k = harness.update(0, deposit, 0, m1);
        uint256 a1 = uint256(deposit).calcWithdrawableRoundDown(k, m1);
        uint256 a2 = uint256(deposit).calcWithdrawableRoundDown(k, m2);
        uint256 expected = (a1 * m2) / m1;
        assertApproxEqAbs(a2, expected, uint256(deposit) / 1e8 + 2);
    }

    function testFuzz_queueAndCompleteRoundTrip(uint96 deposit, uint64 m) public view {
        m = uint64(bound(m, 1e9, WAD));
        uint256 k = harness.update(0, deposit, 0, m);
        uint256 scaled = uint256(deposit).scaleForQueueWithdrawalRoundDown(k);
        uint256 paid = scaled.scaleForCompleteWithdrawalRoundDown(m);
        assertEq(paid, uint256(deposit).calcWithdrawableRoundDown(k, m));
        assertLe(paid, deposit);
        assertEq(uint256(paid).calcDepositSharesRoundDown(k, m) <= deposit, true);
    }

    /// @dev Withdrawable shares converted back to deposit shares give the deposit again, within rounding:
    /// calcDepositSharesRoundDown inverts calcWithdrawableRoundDown whatever the slashing factor.
    function testFuzz_depositSharesInvertWithdrawable(uint96 deposit, uint64 m) public view {
        deposit = uint96(bound(deposit, 1e15, type(uint96).max));
        m = uint64(bound(m, 1e9, WAD));
        uint256 k = harness.update(0, deposit, 0, m);
        uint256 withdrawable = uint256(deposit).calcWithdrawableRoundDown(k, m);
        uint256 back = withdrawable.calcDepositSharesRoundDown(k, m);
        assertLe(back, deposit);
        assertApproxEqRel(back, deposit, 1e13);
    }

    /// @dev A position half slashed before the deposit: 1000 deposit shares are worth 1000 withdrawable
    /// shares, which convert back to 1000 deposit shares (the slashing factor divides, it does not multiply).
    function test_depositSharesOfPositionDepositedAfterHalfSlash() public view {
        uint256 m = WAD / 2;
        uint256 k = harness.update(0, 1000e18, 0, m);
        uint256 withdrawable = uint256(1000e18).calcWithdrawableRoundDown(k, m);
        assertApproxEqAbs(withdrawable, 1000e18, 2);
        assertApproxEqAbs(withdrawable.calcDepositSharesRoundDown(k, m), 1000e18, 4);
    }

    /// @dev An operator already slashed to zero max magnitude loses nothing more (no division by zero).
    function test_calcSlashedAmountOfFullySlashedOperatorIsZero() public pure {
        assertEq(uint256(1000e18).calcSlashedAmountRoundDown(0, 0), 0);
        assertEq(uint256(0).calcSlashedAmountRoundDown(0, 0), 0);
    }

    function test_zeroDepositScalingFactorReverts() public {
        // A position worth nothing (tiny factors) receiving a dust deposit would produce factor 0.
        vm.expectRevert(SlashingLib.InvalidDepositScalingFactor.selector);
        harness.update(1e30, 1, 1, 1);
    }
}
