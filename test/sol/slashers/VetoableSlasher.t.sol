// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IAllocationManagerErrors, IAllocationManagerTypes} from "../../../contracts/interfaces/IAllocationManager.sol";
import {ISlasherErrors} from "../../../contracts/interfaces/ISlasher.sol";
import {
    IVetoableSlasher,
    IVetoableSlasherErrors,
    IVetoableSlasherEvents,
    IVetoableSlasherTypes
} from "../../../contracts/interfaces/IVetoableSlasher.sol";
import {VetoableSlasher} from "../../../contracts/slashers/VetoableSlasher.sol";
import {SlasherTestBase} from "./SlasherTestBase.sol";

contract VetoableSlasherTest is SlasherTestBase {
    uint32 internal constant WINDOW = 10;
    VetoableSlasher internal slasher;
    address internal requester = makeAddr("requester");
    address internal owner = makeAddr("owner");
    address internal committee = makeAddr("committee");

    function setUp() public override {
        super.setUp();
        slasher = new VetoableSlasher(am, avs, owner, committee, WINDOW);
        vm.prank(owner);
        slasher.setSlashRequester(requester, true);
        _operatorInSet(1, address(slasher), address(0), 100e18, WAD);
    }

    function _request(uint256 wad) internal returns (uint256 id) {
        vm.prank(requester);
        id = slasher.requestSlash(_params(1, wad));
    }

    function test_constructor_refusesAVetoWindowOfZeroOrNotShorterThanTheDeallocationDelay() public {
        vm.expectRevert(
            abi.encodeWithSelector(IVetoableSlasherErrors.InvalidVetoWindow.selector, 0, DEALLOCATION_DELAY)
        );
        new VetoableSlasher(am, avs, owner, committee, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IVetoableSlasherErrors.InvalidVetoWindow.selector,
                DEALLOCATION_DELAY,
                DEALLOCATION_DELAY
            )
        );
        new VetoableSlasher(am, avs, owner, committee, DEALLOCATION_DELAY);
        vm.expectRevert(ISlasherErrors.ZeroAddress.selector);
        new VetoableSlasher(am, avs, owner, address(0), WINDOW);
    }

    function test_requestSlash_queuesWithoutSlashing() public {
        uint32 until = uint32(block.number) + WINDOW;
        vm.expectEmit(true, true, false, true, address(slasher));
        emit IVetoableSlasherEvents.SlashRequested(1, operator, 1, requester, until, "fault");
        uint256 id = _request(WAD / 2);
        assertEq(id, 1);
        IVetoableSlasher.SlashRequest memory r = slasher.getRequest(id);
        assertEq(uint8(r.status), uint8(IVetoableSlasherTypes.RequestStatus.Pending));
        assertEq(r.vetoableUntil, until);
        assertEq(r.requester, requester);
        assertEq(r.params.operator, operator);
        assertEq(r.params.wadsToSlash[0], WAD / 2);
        assertEq(am.getMaxMagnitude(operator, strategy), WAD, "nothing slashed yet");
    }

    function test_requestSlash_onlyRequester_andWellFormed() public {
        vm.expectRevert(abi.encodeWithSelector(ISlasherErrors.NotSlashRequester.selector, address(this)));
        slasher.requestSlash(_params(1, WAD / 2));
        IAllocationManagerTypes.SlashingParams memory p = _params(1, WAD / 2);
        p.wadsToSlash = new uint256[](3);
        vm.expectRevert(abi.encodeWithSelector(ISlasherErrors.InvalidSlashRequest.selector, 1, 3));
        vm.prank(requester);
        slasher.requestSlash(p);
    }

    function test_executeSlash_refusedWhileTheVetoWindowIsOpen_includingItsLastBlock() public {
        uint256 id = _request(WAD / 2);
        uint32 until = slasher.getRequest(id).vetoableUntil;
        vm.roll(until);
        vm.expectRevert(abi.encodeWithSelector(IVetoableSlasherErrors.VetoWindowOpen.selector, id, until, until));
        slasher.executeSlash(id);
    }

    function test_executeSlash_byAnyoneAfterTheWindow_slashes() public {
        uint256 id = _request(WAD / 2);
        vm.roll(block.number + WINDOW + 1);
        vm.prank(makeAddr("anyone"));
        (uint256 slashId, uint256[] memory shares) = slasher.executeSlash(id);
        assertEq(slashId, 1);
        assertEq(shares[0], 50e18);
        assertEq(am.getMaxMagnitude(operator, strategy), WAD / 2);
        assertEq(uint8(slasher.getRequest(id).status), uint8(IVetoableSlasherTypes.RequestStatus.Executed));
        vm.expectRevert(
            abi.encodeWithSelector(
                IVetoableSlasherErrors.RequestNotPending.selector,
                id,
                IVetoableSlasherTypes.RequestStatus.Executed
            )
        );
        slasher.executeSlash(id);
    }

    function test_cancelSlash_byTheCommitteeInsideTheWindow_preventsExecution() public {
        uint256 id = _request(WAD / 2);
        vm.roll(block.number + WINDOW); // last vetoable block
        vm.prank(committee);
        slasher.cancelSlash(id);
        assertEq(uint8(slasher.getRequest(id).status), uint8(IVetoableSlasherTypes.RequestStatus.Cancelled));
        vm.roll(block.number + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IVetoableSlasherErrors.RequestNotPending.selector,
                id,
                IVetoableSlasherTypes.RequestStatus.Cancelled
            )
        );
        slasher.executeSlash(id);
        assertEq(am.getMaxMagnitude(operator, strategy), WAD);
    }

    function test_cancelSlash_refusedAfterTheWindow_andForOthers() public {
        uint256 id = _request(WAD / 2);
        vm.expectRevert(abi.encodeWithSelector(IVetoableSlasherErrors.NotVetoCommittee.selector, requester));
        vm.prank(requester);
        slasher.cancelSlash(id);
        uint32 until = slasher.getRequest(id).vetoableUntil;
        vm.roll(until + 1);
        vm.expectRevert(abi.encodeWithSelector(IVetoableSlasherErrors.VetoWindowClosed.selector, id, until, until + 1));
        vm.prank(committee);
        slasher.cancelSlash(id);
    }

    function test_unknownRequest_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IVetoableSlasherErrors.UnknownRequest.selector, 9));
        slasher.executeSlash(9);
        vm.expectRevert(abi.encodeWithSelector(IVetoableSlasherErrors.UnknownRequest.selector, 9));
        vm.prank(committee);
        slasher.cancelSlash(9);
        vm.expectRevert(abi.encodeWithSelector(IVetoableSlasherErrors.UnknownRequest.selector, 9));
        slasher.getRequest(9);
    }

    /// The window is shorter than the deallocation delay: an operator that deregisters right after a
    /// request is still slashable when the window closes.
    function test_operatorDeregisteringAfterARequest_isStillSlashedAfterTheWindow() public {
        uint256 id = _request(WAD / 2);
        uint32[] memory ids = new uint32[](1);
        ids[0] = 1;
        vm.prank(operator);
        am.deregisterFromOperatorSets(
            IAllocationManagerTypes.DeregisterParams({operator: operator, avs: avs, operatorSetIds: ids})
        );
        vm.roll(block.number + WINDOW + 1);
        slasher.executeSlash(id);
        assertEq(am.getMaxMagnitude(operator, strategy), WAD / 2);
    }

    function test_executeSlash_keepsTheRequestPendingWhenTheAllocationManagerRefuses() public {
        uint256 id = _request(WAD / 2);
        uint32[] memory ids = new uint32[](1);
        ids[0] = 1;
        vm.prank(operator);
        am.deregisterFromOperatorSets(
            IAllocationManagerTypes.DeregisterParams({operator: operator, avs: avs, operatorSetIds: ids})
        );
        vm.roll(block.number + DEALLOCATION_DELAY + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAllocationManagerErrors.OperatorNotSlashable.selector, operator, avs, 1)
        );
        slasher.executeSlash(id);
        assertEq(uint8(slasher.getRequest(id).status), uint8(IVetoableSlasherTypes.RequestStatus.Pending));
    }

    function test_setVetoCommittee_onlyOwner() public {
        address next = makeAddr("next");
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        slasher.setVetoCommittee(next);
        vm.expectRevert(ISlasherErrors.ZeroAddress.selector);
        vm.prank(owner);
        slasher.setVetoCommittee(address(0));
        vm.prank(owner);
        slasher.setVetoCommittee(next);
        assertEq(slasher.vetoCommittee(), next);
        uint256 id = _request(WAD / 2);
        vm.prank(next);
        slasher.cancelSlash(id);
    }

    /// Execution succeeds exactly when the block is past the veto window.
    function testFuzz_executeSlash_succeedsIffTheWindowHasClosed(uint8 wait) public {
        uint256 id = _request(WAD / 4);
        uint256 until = slasher.getRequest(id).vetoableUntil;
        vm.roll(block.number + wait);
        if (block.number <= until) {
            vm.expectRevert(
                abi.encodeWithSelector(IVetoableSlasherErrors.VetoWindowOpen.selector, id, until, block.number)
            );
            slasher.executeSlash(id);
        } else if (block.number <= until + DEALLOCATION_DELAY) {
            slasher.executeSlash(id);
            assertEq(am.getMaxMagnitude(operator, strategy), (WAD * 3) / 4);
        }
    }
}
