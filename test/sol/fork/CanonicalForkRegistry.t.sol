// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {ICanonicalForkRegistryErrors} from "../../../contracts/interfaces/ICanonicalForkRegistry.sol";
import {
    IForkChallengeManagerErrors,
    IForkChallengeManagerTypes
} from "../../../contracts/interfaces/IForkChallengeManager.sol";
import {IForkFactoryErrors} from "../../../contracts/interfaces/IForkFactory.sol";
import {ForkFactory} from "../../../contracts/fork/ForkFactory.sol";
import {ForkWorld} from "./ForkFixture.sol";

contract CanonicalForkRegistryTest is ForkWorld {
    function test_genesisIsCanonicalAtFirst() public view {
        assertEq(address(registry.canonicalToken()), address(bEigen));
        assertEq(registry.canonicalForkId(), 0);
        assertEq(registry.forkCount(), 1);
        assertEq(registry.canonicalCount(), 1);
        assertEq(registry.canonicalForkAt(0), 0);
    }

    function test_bindOnlyOnce() public {
        vm.expectRevert(ICanonicalForkRegistryErrors.AlreadyBound.selector);
        registry.bind(manager, address(factory));
    }

    function test_onlyTheTimelockDecides() public {
        (, uint256 forkId, ) = _openAndFork();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, gov));
        vm.prank(gov); // even governance's proposer must go through the timelock's delay
        registry.setCanonical(forkId);
        _setCanonical(forkId);
        assertEq(registry.canonicalForkId(), forkId);
        assertEq(registry.canonicalCount(), 2);
        assertEq(registry.canonicalForkAt(1), forkId);
    }

    function test_oneForkPerChallengeBecomesCanonical() public {
        (uint256 id, uint256 forkA, ) = _openAndFork();
        (uint256 forkB, ) = _createFork(id); // a competing fork of the same challenge
        _setCanonical(forkA);
        // forkB's parent is no longer canonical
        bytes memory data = abi.encodeCall(registry.setCanonical, (forkB));
        bytes32 salt = keccak256("b");
        vm.prank(gov);
        timelock.schedule(address(registry), 0, data, bytes32(0), salt, TIMELOCK_DELAY);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        address canonical = address(registry.canonicalToken());
        vm.prank(gov);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICanonicalForkRegistryErrors.ParentNotCanonical.selector,
                forkB,
                address(bEigen),
                canonical
            )
        );
        timelock.execute(address(registry), 0, data, bytes32(0), salt);
    }

    function test_anExpiredChallengeCannotBeForkedIntoCanonical() public {
        (uint256 id, uint256 forkId, ) = _openAndFork();
        vm.warp(block.timestamp + RESOLUTION_WINDOW);
        bytes memory data = abi.encodeCall(registry.setCanonical, (forkId));
        vm.prank(gov);
        timelock.schedule(address(registry), 0, data, bytes32(0), bytes32(0), TIMELOCK_DELAY);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        vm.prank(gov);
        vm.expectRevert(
            abi.encodeWithSelector(
                IForkChallengeManagerErrors.ChallengeNotOpen.selector,
                id,
                IForkChallengeManagerTypes.ChallengeStatus.Expired
            )
        );
        timelock.execute(address(registry), 0, data, bytes32(0), bytes32(0));
        assertEq(registry.canonicalForkId(), 0);
    }

    function test_appsPreCommitToFollowOnce() public {
        address avs = makeAddr("avs");
        vm.prank(avs);
        registry.commitToFollow();
        assertTrue(registry.isCommitted(avs));
        vm.prank(avs);
        vm.expectRevert(abi.encodeWithSelector(ICanonicalForkRegistryErrors.AlreadyCommitted.selector, avs));
        registry.commitToFollow();
    }

    function test_unknownForkIsReported() public {
        vm.expectRevert(abi.encodeWithSelector(ICanonicalForkRegistryErrors.ForkNotFound.selector, 5));
        registry.getFork(5);
    }

    function test_factoryParametersAreBounded() public {
        ForkFactory.Parameters memory p = ForkFactory.Parameters({
            dpfWad: DPF,
            rewardWad: REWARD,
            redeemWindow: REDEEM_WINDOW,
            lockDuration: REDEEM_WINDOW // T_lock must exceed T_redeem
        });
        vm.expectRevert(IForkFactoryErrors.InvalidParameters.selector);
        new ForkFactory(registry, manager, address(eigen), pool, p, address(timelock));
        p.lockDuration = LOCK_DURATION;
        p.redeemWindow = RESOLUTION_WINDOW; // fork window + redemption window must fit in the resolution window
        p.lockDuration = RESOLUTION_WINDOW + 1;
        vm.expectRevert(IForkFactoryErrors.InvalidParameters.selector);
        new ForkFactory(registry, manager, address(eigen), pool, p, address(timelock));
        p.redeemWindow = REDEEM_WINDOW;
        p.dpfWad = 0;
        vm.expectRevert(IForkFactoryErrors.InvalidParameters.selector);
        new ForkFactory(registry, manager, address(eigen), pool, p, address(timelock));
    }

    function test_stakePoolIsSetByGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        factory.setStakePool(address(1));
        _govern(address(factory), abi.encodeCall(factory.setStakePool, (address(1))));
        assertEq(factory.stakePool(), address(1));
    }
}
