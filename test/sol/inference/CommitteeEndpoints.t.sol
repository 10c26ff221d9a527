// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {CommitteeEndpoints} from "../../../contracts/inference/CommitteeEndpoints.sol";
import {IAllocationManager} from "../../../contracts/interfaces/IAllocationManager.sol";
import {IBLSAVSRegistrar} from "../../../contracts/interfaces/IBLSAVSRegistrar.sol";
import {ICommitteeEndpoints} from "../../../contracts/interfaces/ICommitteeEndpoints.sol";
import {RestakingTestBase} from "../core/RestakingTestBase.sol";

/// @dev The three views CommitteeEndpoints reads from a registrar (the set's identity); membership itself
/// comes from the real AllocationManager.
contract RegistrarIdentity {
    IAllocationManager public immutable allocationManager;
    address public immutable avs;
    uint32 public immutable operatorSetId;

    constructor(IAllocationManager am, address avs_, uint32 id) {
        (allocationManager, avs, operatorSetId) = (am, avs_, id);
    }
}

contract CommitteeEndpointsTest is RestakingTestBase {
    uint32 internal constant SET_ID = 3;
    CommitteeEndpoints internal endpoints;
    address internal member = makeAddr("member");
    address internal outsider = makeAddr("outsider");

    function setUp() public override {
        super.setUp();
        _createSet(SET_ID, _strategies(strategy), false);
        _operatorInSet(member, 10 ether, SET_ID, uint64(WAD));
        endpoints = new CommitteeEndpoints(
            IBLSAVSRegistrar(address(new RegistrarIdentity(IAllocationManager(address(am)), avs, SET_ID)))
        );
    }

    function test_setEndpoint_memberSetsAndClearsItsOwn() public {
        vm.prank(member);
        vm.expectEmit(address(endpoints));
        emit ICommitteeEndpoints.CommitteeEndpointSet(member, "http://10.0.0.1:7400");
        endpoints.setEndpoint("http://10.0.0.1:7400");
        assertEq(endpoints.endpointOf(member), "http://10.0.0.1:7400");
        assertEq(endpoints.endpointOf(outsider), "");
        vm.prank(member);
        endpoints.setEndpoint("");
        assertEq(endpoints.endpointOf(member), "");
    }

    function test_setEndpoint_onlyMembersOfTheCommitteeSet() public {
        vm.prank(outsider);
        vm.expectRevert(abi.encodeWithSelector(ICommitteeEndpoints.NotCommitteeMember.selector, outsider));
        endpoints.setEndpoint("http://evil.invalid");
    }

    function test_setEndpoint_rejectsUrlsOverTheMaximumLength() public {
        bytes memory long = new bytes(257);
        for (uint256 i = 0; i < long.length; ++i) long[i] = "a";
        vm.prank(member);
        vm.expectRevert(abi.encodeWithSelector(ICommitteeEndpoints.EndpointTooLong.selector, 257, 256));
        endpoints.setEndpoint(string(long));
    }
}
