// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {
    IAllocationManager,
    IAllocationManagerErrors,
    IAllocationManagerTypes
} from "../../../contracts/interfaces/IAllocationManager.sol";
import {ISlasherErrors, ISlasherEvents} from "../../../contracts/interfaces/ISlasher.sol";
import {IStrategy} from "../../../contracts/interfaces/IStrategy.sol";
import {OperatorSet} from "../../../contracts/libraries/OperatorSetLib.sol";
import {InstantSlasher} from "../../../contracts/slashers/InstantSlasher.sol";
import {SlasherTestBase} from "./SlasherTestBase.sol";

contract InstantSlasherTest is SlasherTestBase {
    InstantSlasher internal slasher;
    address internal requester = makeAddr("requester");
    address internal owner = makeAddr("owner");

    function setUp() public override {
        super.setUp();
        slasher = new InstantSlasher(am, avs, owner);
        vm.prank(owner);
        slasher.setSlashRequester(requester, true);
        _operatorInSet(1, address(slasher), address(0), 100e18, WAD);
    }

    function test_constructor_refusesZeroAddresses() public {
        vm.expectRevert(ISlasherErrors.ZeroAddress.selector);
        new InstantSlasher(IAllocationManager(address(0)), avs, owner);
        vm.expectRevert(ISlasherErrors.ZeroAddress.selector);
        new InstantSlasher(am, address(0), owner);
    }

    function test_slash_cutsTheOperatorsAllocationAtOnce() public {
        vm.expectEmit(true, true, false, true, address(slasher));
        uint256[] memory expectedShares = new uint256[](1);
        expectedShares[0] = 50e18;
        emit ISlasherEvents.SlashExecuted(1, operator, 1, 1, expectedShares);
        vm.prank(requester);
        (uint256 requestId, uint256 slashId, uint256[] memory shares) = slasher.slash(_params(1, WAD / 2));
        assertEq(requestId, 1);
        assertEq(slashId, 1);
        assertEq(shares[0], 50e18);
        assertEq(slasher.requestCount(), 1);
        assertEq(am.getMaxMagnitude(operator, strategy), WAD / 2);
        assertEq(dm.operatorShares(operator, strategy), 50e18);
        assertEq(_withdrawable(staker), 50e18);
        assertEq(sm.getBurnOrRedistributableShares(OperatorSet(avs, 1), 1, strategy), 50e18);
    }

    function test_slash_onlySlashRequester() public {
        vm.expectRevert(abi.encodeWithSelector(ISlasherErrors.NotSlashRequester.selector, address(this)));
        slasher.slash(_params(1, WAD / 2));
    }

    function test_slash_refusesEmptyAndMismatchedRequests() public {
        IAllocationManagerTypes.SlashingParams memory p = _params(1, WAD / 2);
        p.wadsToSlash = new uint256[](2);
        vm.expectRevert(abi.encodeWithSelector(ISlasherErrors.InvalidSlashRequest.selector, 1, 2));
        vm.prank(requester);
        slasher.slash(p);
        p.strategies = new IStrategy[](0);
        p.wadsToSlash = new uint256[](0);
        vm.expectRevert(abi.encodeWithSelector(ISlasherErrors.InvalidSlashRequest.selector, 0, 0));
        vm.prank(requester);
        slasher.slash(p);
    }

    function test_slash_bubblesTheAllocationManagersErrors() public {
        // Not a member of set 2 (which does not exist) and a wad above 100%.
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidOperatorSet.selector, avs, 2));
        vm.prank(requester);
        slasher.slash(_params(2, WAD / 2));
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidWadToSlash.selector, WAD + 1));
        vm.prank(requester);
        slasher.slash(_params(1, WAD + 1));
    }

    function test_slash_failsWhenThisContractIsNotTheSetsSlasher() public {
        InstantSlasher other = new InstantSlasher(am, avs, owner);
        vm.prank(owner);
        other.setSlashRequester(requester, true);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidCaller.selector, address(other)));
        vm.prank(requester);
        other.slash(_params(1, WAD / 2));
    }

    function test_setSlashRequester_onlyOwner_andNotZero() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        slasher.setSlashRequester(address(this), true);
        vm.expectRevert(ISlasherErrors.ZeroAddress.selector);
        vm.prank(owner);
        slasher.setSlashRequester(address(0), true);
        vm.prank(owner);
        slasher.setSlashRequester(requester, false);
        assertFalse(slasher.isSlashRequester(requester));
        vm.expectRevert(abi.encodeWithSelector(ISlasherErrors.NotSlashRequester.selector, requester));
        vm.prank(requester);
        slasher.slash(_params(1, WAD / 2));
    }

    /// Any fraction in (0, WAD] of a full allocation cuts the operator's shares by that fraction (floor).
    function testFuzz_slash_cutsSharesByTheRequestedFraction(uint256 wad) public {
        wad = bound(wad, 1, WAD);
        vm.prank(requester);
        (, , uint256[] memory shares) = slasher.slash(_params(1, wad));
        uint256 expected = (100e18 * wad) / WAD;
        assertApproxEqAbs(shares[0], expected, 1);
        assertApproxEqAbs(dm.operatorShares(operator, strategy), 100e18 - expected, 1);
    }
}
