// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {IAppRegistry} from "../../../contracts/interfaces/IAppRegistry.sol";
import {AppRegistry} from "../../../contracts/tee/AppRegistry.sol";

contract AppRegistryTest is Test {
    uint64 internal constant DELAY = 1 days;
    AppRegistry internal apps;
    address internal owner = makeAddr("owner");
    address internal stranger = makeAddr("stranger");
    bytes32 internal constant IMAGE = keccak256("image-v1");
    bytes32 internal constant MEAS = keccak256("measurements-v1");
    bytes32 internal appId;

    function setUp() public {
        apps = new AppRegistry(DELAY);
        vm.prank(owner);
        appId = apps.registerApp(bytes32("salt"), IMAGE, MEAS);
    }

    function test_registerApp_storesReleaseAndOwnerUnderDerivedId() public view {
        assertEq(appId, apps.appIdFor(owner, bytes32("salt")));
        IAppRegistry.App memory app = apps.getApp(appId);
        assertEq(app.owner, owner);
        assertEq(app.imageDigest, IMAGE);
        assertEq(app.measurementsHash, MEAS);
        assertEq(app.version, 1);
        assertTrue(apps.isRegistered(appId));
    }

    function test_registerApp_revertsWhenIdTaken() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.AppAlreadyRegistered.selector, appId));
        apps.registerApp(bytes32("salt"), IMAGE, MEAS);
    }

    function test_registerApp_sameSaltOtherOwnerIsADifferentApp() public {
        vm.prank(stranger);
        bytes32 other = apps.registerApp(bytes32("salt"), IMAGE, MEAS);
        assertTrue(other != appId);
    }

    function test_registerApp_revertsOnZeroDigestOrMeasurements() public {
        vm.expectRevert(IAppRegistry.ZeroImageDigest.selector);
        apps.registerApp(bytes32("x"), bytes32(0), MEAS);
        vm.expectRevert(IAppRegistry.ZeroMeasurementsHash.selector);
        apps.registerApp(bytes32("x"), IMAGE, bytes32(0));
    }

    function test_getApp_revertsForUnknownApp() public {
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.AppNotRegistered.selector, bytes32("nope")));
        apps.getApp(bytes32("nope"));
    }

    function test_upgrade_appliesOnlyAfterDelay() public {
        vm.prank(owner);
        uint64 readyAt = apps.queueUpgrade(appId, keccak256("image-v2"), keccak256("m2"));
        assertEq(readyAt, block.timestamp + DELAY);
        // The old release stays in force while the upgrade waits.
        assertEq(apps.getApp(appId).imageDigest, IMAGE);
        vm.warp(readyAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.UpgradeNotReady.selector, appId, readyAt));
        apps.applyUpgrade(appId);
        vm.warp(readyAt);
        vm.expectEmit(address(apps));
        emit IAppRegistry.AppUpgraded(appId, 2, keccak256("image-v2"), keccak256("m2"));
        vm.prank(stranger); // anyone may apply a ready upgrade
        apps.applyUpgrade(appId);
        IAppRegistry.App memory app = apps.getApp(appId);
        assertEq(app.imageDigest, keccak256("image-v2"));
        assertEq(app.measurementsHash, keccak256("m2"));
        assertEq(app.version, 2);
        assertEq(apps.getPendingUpgrade(appId).readyAt, 0);
    }

    function test_applyUpgrade_revertsWithNothingPending() public {
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.NoPendingUpgrade.selector, appId));
        apps.applyUpgrade(appId);
    }

    function test_cancelUpgrade_removesPendingRelease() public {
        vm.startPrank(owner);
        apps.queueUpgrade(appId, keccak256("image-v2"), keccak256("m2"));
        apps.cancelUpgrade(appId);
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.NoPendingUpgrade.selector, appId));
        apps.cancelUpgrade(appId);
        vm.stopPrank();
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.NoPendingUpgrade.selector, appId));
        apps.applyUpgrade(appId);
    }

    function test_ownerOnlyActions_revertForOthers() public {
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.NotAppOwner.selector, appId, stranger));
        apps.queueUpgrade(appId, IMAGE, MEAS);
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.NotAppOwner.selector, appId, stranger));
        apps.cancelUpgrade(appId);
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.NotAppOwner.selector, appId, stranger));
        apps.transferAppOwnership(appId, stranger);
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.AppNotRegistered.selector, bytes32("nope")));
        apps.queueUpgrade(bytes32("nope"), IMAGE, MEAS);
        vm.stopPrank();
    }

    function test_queueUpgrade_revertsOnZeroRelease() public {
        vm.startPrank(owner);
        vm.expectRevert(IAppRegistry.ZeroImageDigest.selector);
        apps.queueUpgrade(appId, bytes32(0), MEAS);
        vm.expectRevert(IAppRegistry.ZeroMeasurementsHash.selector);
        apps.queueUpgrade(appId, IMAGE, bytes32(0));
        vm.stopPrank();
    }

    function test_transferAppOwnership_movesControl() public {
        vm.prank(owner);
        vm.expectRevert(IAppRegistry.ZeroOwner.selector);
        apps.transferAppOwnership(appId, address(0));
        vm.prank(owner);
        apps.transferAppOwnership(appId, stranger);
        assertEq(apps.getApp(appId).owner, stranger);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.NotAppOwner.selector, appId, owner));
        apps.queueUpgrade(appId, IMAGE, MEAS);
        vm.prank(stranger);
        apps.queueUpgrade(appId, IMAGE, MEAS);
    }

    function testFuzz_upgradeNeverAppliesBeforeDelay(uint64 elapsed) public {
        elapsed = uint64(bound(elapsed, 0, DELAY - 1));
        vm.prank(owner);
        apps.queueUpgrade(appId, keccak256("image-v2"), keccak256("m2"));
        vm.warp(block.timestamp + elapsed);
        vm.expectPartialRevert(IAppRegistry.UpgradeNotReady.selector);
        apps.applyUpgrade(appId);
    }

    function test_publishMeasurements_currentOrPendingSetOnlyByOwner() public {
        bytes32 cert = keccak256("da certificate");
        vm.expectEmit(address(apps));
        emit IAppRegistry.MeasurementsPublished(appId, MEAS, cert);
        vm.prank(owner);
        apps.publishMeasurements(appId, MEAS, cert);
        assertEq(apps.measurementsCertificate(appId, MEAS), cert);

        bytes32 next = keccak256("measurements-v2");
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.MeasurementsNotOfApp.selector, appId, next));
        apps.publishMeasurements(appId, next, cert);
        apps.queueUpgrade(appId, keccak256("image-v2"), next);
        apps.publishMeasurements(appId, next, keccak256("cert 2"));
        vm.expectRevert(IAppRegistry.ZeroCertificateId.selector);
        apps.publishMeasurements(appId, MEAS, bytes32(0));
        // Republishing replaces the pointer.
        apps.publishMeasurements(appId, MEAS, keccak256("cert 3"));
        vm.stopPrank();
        assertEq(apps.measurementsCertificate(appId, next), keccak256("cert 2"));
        assertEq(apps.measurementsCertificate(appId, MEAS), keccak256("cert 3"));
        assertEq(apps.measurementsCertificate(appId, keccak256("other")), bytes32(0));

        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.NotAppOwner.selector, appId, stranger));
        vm.prank(stranger);
        apps.publishMeasurements(appId, MEAS, cert);
        bytes32 unknown = keccak256("no app");
        vm.expectRevert(abi.encodeWithSelector(IAppRegistry.AppNotRegistered.selector, unknown));
        vm.prank(owner);
        apps.publishMeasurements(unknown, MEAS, cert);
    }
}
