// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {IPausable} from "../../contracts/interfaces/IPausable.sol";
import {IPauserRegistry} from "../../contracts/interfaces/IPauserRegistry.sol";
import {Pausable} from "../../contracts/permissions/Pausable.sol";
import {PauserRegistry} from "../../contracts/permissions/PauserRegistry.sol";

contract PausableHarness is Pausable {
    uint256 public counter;

    constructor(IPauserRegistry registry) Pausable(registry) {}

    function bump() external onlyWhenNotPaused(3) {
        ++counter;
    }
}

contract PausableTest is Test {
    address internal pauser = makeAddr("pauser");
    address internal unpauser = makeAddr("unpauser");
    PauserRegistry internal registry;
    PausableHarness internal target;

    function setUp() public {
        address[] memory pausers = new address[](1);
        pausers[0] = pauser;
        registry = new PauserRegistry(pausers, unpauser);
        target = new PausableHarness(registry);
    }

    function test_pausedFunctionReverts() public {
        vm.prank(pauser);
        target.pause(1 << 3);
        vm.expectRevert(abi.encodeWithSelector(IPausable.CurrentlyPaused.selector, uint8(3)));
        target.bump();
    }

    function test_otherFlagsDoNotBlock() public {
        vm.prank(pauser);
        target.pause(1 << 2);
        target.bump();
        assertEq(target.counter(), 1);
    }

    function test_pauserCannotClearBits() public {
        vm.startPrank(pauser);
        target.pause(3);
        vm.expectRevert(abi.encodeWithSelector(IPausable.InvalidNewPausedStatus.selector, 3, 1));
        target.pause(1);
    }

    function test_unpauserCannotSetBits() public {
        vm.prank(pauser);
        target.pause(1);
        vm.prank(unpauser);
        vm.expectRevert(abi.encodeWithSelector(IPausable.InvalidNewPausedStatus.selector, 1, 3));
        target.unpause(3);
    }

    function test_onlyPauserPauses() public {
        vm.expectRevert(abi.encodeWithSelector(IPausable.OnlyPauser.selector, address(this)));
        target.pause(1);
        vm.expectRevert(abi.encodeWithSelector(IPausable.OnlyPauser.selector, address(this)));
        target.pauseAll();
    }

    function test_onlyUnpauserUnpauses() public {
        vm.prank(pauser);
        target.pauseAll();
        vm.expectRevert(abi.encodeWithSelector(IPausable.OnlyUnpauser.selector, pauser));
        vm.prank(pauser);
        target.unpause(0);
        vm.prank(unpauser);
        target.unpause(0);
        assertEq(target.paused(), 0);
    }

    function test_registryManagesPausers() public {
        address other = makeAddr("other");
        vm.expectRevert(abi.encodeWithSelector(IPauserRegistry.OnlyUnpauser.selector, address(this)));
        registry.setIsPauser(other, true);
        vm.prank(unpauser);
        registry.setIsPauser(other, true);
        assertTrue(registry.isPauser(other));
        vm.prank(unpauser);
        vm.expectRevert(IPauserRegistry.InputAddressZero.selector);
        registry.setUnpauser(address(0));
    }

    function testFuzz_pauseOnlyAddsBits(uint256 first, uint256 second) public {
        vm.startPrank(pauser);
        target.pause(first);
        if ((first & second) != first) {
            vm.expectRevert(abi.encodeWithSelector(IPausable.InvalidNewPausedStatus.selector, first, second));
            target.pause(second);
        } else {
            target.pause(second);
            assertEq(target.paused(), second);
        }
    }
}
