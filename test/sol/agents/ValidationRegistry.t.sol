// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ValidationRegistry} from "../../../contracts/agents/ValidationRegistry.sol";
import {IIdentityRegistry} from "../../../contracts/interfaces/IIdentityRegistry.sol";
import {IValidationRegistryErrors} from "../../../contracts/interfaces/IValidationRegistry.sol";
import {AgentsFixture} from "./AgentsFixture.sol";

contract ValidationRegistryTest is AgentsFixture {
    event ValidationRequest(
        address indexed validatorAddress,
        uint256 indexed agentId,
        string requestURI,
        bytes32 indexed requestHash
    );
    event ValidationResponse(
        address indexed validatorAddress,
        uint256 indexed agentId,
        bytes32 indexed requestHash,
        uint8 response,
        string responseURI,
        bytes32 responseHash,
        string tag
    );

    ValidationRegistry internal validation;
    uint256 internal agentId;
    address internal validator = makeAddr("validator");
    address internal validator2 = makeAddr("validator2");
    bytes32 internal constant REQ = keccak256("request payload");

    function setUp() public override {
        super.setUp();
        validation = new ValidationRegistry(identity);
        agentId = _registerAs(alice, "ipfs://agent");
    }

    function _request(address by, address to, bytes32 requestHash) internal {
        vm.prank(by);
        validation.validationRequest(to, agentId, "ipfs://request", requestHash);
    }

    function _respond(address by, bytes32 requestHash, uint8 response, string memory tag) internal {
        vm.prank(by);
        validation.validationResponse(requestHash, response, "ipfs://evidence", bytes32("e"), tag);
    }

    // ------------------------------------------------------------------ requests

    function test_constructor_zeroIdentityRegistry_reverts() public {
        vm.expectRevert(IValidationRegistryErrors.IdentityRegistryIsZeroAddress.selector);
        new ValidationRegistry(IIdentityRegistry(address(0)));
    }

    function test_getIdentityRegistry() public view {
        assertEq(validation.getIdentityRegistry(), address(identity));
    }

    function test_validationRequest_byOwner_recordsListsAndEmits() public {
        vm.warp(1000);
        vm.expectEmit(address(validation));
        emit ValidationRequest(validator, agentId, "ipfs://request", REQ);
        _request(alice, validator, REQ);
        (address v, uint256 a, uint8 response, bytes32 responseHash, string memory tag, uint256 lastUpdate) = validation
            .getValidationStatus(REQ);
        assertEq(v, validator);
        assertEq(a, agentId);
        assertEq(response, 0);
        assertEq(responseHash, bytes32(0));
        assertEq(tag, "");
        assertEq(lastUpdate, 1000);
        assertFalse(validation.hasResponse(REQ));
        assertEq(validation.getAgentValidations(agentId).length, 1);
        assertEq(validation.getAgentValidations(agentId)[0], REQ);
        assertEq(validation.getValidatorRequests(validator)[0], REQ);
    }

    function test_validationRequest_byApprovedOperator() public {
        vm.prank(alice);
        identity.setApprovalForAll(operator, true);
        _request(operator, validator, REQ);
        assertEq(validation.getAgentValidations(agentId).length, 1);
    }

    function test_validationRequest_byStranger_reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(IValidationRegistryErrors.NotAgentOwnerOrOperator.selector, agentId, bob)
        );
        _request(bob, validator, REQ);
    }

    function test_validationRequest_unknownAgent_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistryErrors.AgentNotRegistered.selector, 9));
        vm.prank(alice);
        validation.validationRequest(validator, 9, "ipfs://r", REQ);
    }

    function test_validationRequest_zeroValidator_reverts() public {
        vm.expectRevert(IValidationRegistryErrors.ValidatorIsZeroAddress.selector);
        _request(alice, address(0), REQ);
    }

    function test_validationRequest_zeroHash_reverts() public {
        vm.expectRevert(IValidationRegistryErrors.RequestHashIsZero.selector);
        _request(alice, validator, bytes32(0));
    }

    function test_validationRequest_sameHashTwice_reverts() public {
        _request(alice, validator, REQ);
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistryErrors.ValidationRequestExists.selector, REQ));
        _request(alice, validator2, REQ);
    }

    // ------------------------------------------------------------------ responses

    function test_validationResponse_byValidator_recordsAndEmits() public {
        _request(alice, validator, REQ);
        vm.warp(2000);
        vm.expectEmit(address(validation));
        emit ValidationResponse(validator, agentId, REQ, 100, "ipfs://evidence", bytes32("e"), "hard-finality");
        _respond(validator, REQ, 100, "hard-finality");
        (, , uint8 response, bytes32 responseHash, string memory tag, uint256 lastUpdate) = validation
            .getValidationStatus(REQ);
        assertEq(response, 100);
        assertEq(responseHash, bytes32("e"));
        assertEq(tag, "hard-finality");
        assertEq(lastUpdate, 2000);
        assertTrue(validation.hasResponse(REQ));
    }

    function test_validationResponse_canBeUpdatedUpOrDown() public {
        _request(alice, validator, REQ);
        _respond(validator, REQ, 60, "soft-finality");
        _respond(validator, REQ, 100, "hard-finality");
        _respond(validator, REQ, 0, "refuted");
        (, , uint8 response, , string memory tag, ) = validation.getValidationStatus(REQ);
        assertEq(response, 0);
        assertEq(tag, "refuted");
    }

    function test_validationResponse_byAnotherAddress_reverts() public {
        _request(alice, validator, REQ);
        vm.expectRevert(
            abi.encodeWithSelector(IValidationRegistryErrors.NotRequestValidator.selector, REQ, alice, validator)
        );
        _respond(alice, REQ, 100, "");
    }

    function test_validationResponse_above100_reverts() public {
        _request(alice, validator, REQ);
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistryErrors.ResponseOutOfRange.selector, 101, 100));
        _respond(validator, REQ, 101, "");
    }

    function testFuzz_validationResponse_acceptsExactly0To100(uint8 response) public {
        _request(alice, validator, REQ);
        if (response > 100) vm.expectRevert();
        _respond(validator, REQ, response, "");
        if (response <= 100) {
            (, , uint8 stored, , , ) = validation.getValidationStatus(REQ);
            assertEq(stored, response);
        }
    }

    function test_validationResponse_unknownRequest_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistryErrors.ValidationRequestNotFound.selector, REQ));
        _respond(validator, REQ, 100, "");
    }

    function test_getValidationStatus_unknownRequest_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistryErrors.ValidationRequestNotFound.selector, REQ));
        validation.getValidationStatus(REQ);
    }

    // ------------------------------------------------------------------ summaries

    function test_getSummary_countsOnlyAnsweredRequests_withFilters() public {
        bytes32 r1 = keccak256("1");
        bytes32 r2 = keccak256("2");
        bytes32 r3 = keccak256("3");
        bytes32 r4 = keccak256("4");
        _request(alice, validator, r1);
        _request(alice, validator, r2);
        _request(alice, validator2, r3);
        _request(alice, validator2, r4); // never answered
        _respond(validator, r1, 100, "tee");
        _respond(validator, r2, 33, "inference");
        _respond(validator2, r3, 0, "tee");

        (uint64 count, uint8 average) = validation.getSummary(agentId, new address[](0), "");
        assertEq(count, 3);
        assertEq(average, 44); // 133 / 3 rounded down

        address[] memory only = new address[](1);
        only[0] = validator;
        (count, average) = validation.getSummary(agentId, only, "");
        assertEq(count, 2);
        assertEq(average, 66);

        (count, average) = validation.getSummary(agentId, new address[](0), "tee");
        assertEq(count, 2);
        assertEq(average, 50);

        (count, average) = validation.getSummary(agentId, only, "tee");
        assertEq(count, 1);
        assertEq(average, 100);

        (count, average) = validation.getSummary(agentId + 1, new address[](0), "");
        assertEq(count, 0);
        assertEq(average, 0);
    }

    function test_listings_keepRequestOrderPerAgentAndValidator() public {
        uint256 other = _registerAs(bob, "ipfs://bob");
        _request(alice, validator, keccak256("a"));
        vm.prank(bob);
        validation.validationRequest(validator, other, "ipfs://r", keccak256("b"));
        _request(alice, validator2, keccak256("c"));
        bytes32[] memory forValidator = validation.getValidatorRequests(validator);
        assertEq(forValidator.length, 2);
        assertEq(forValidator[0], keccak256("a"));
        assertEq(forValidator[1], keccak256("b"));
        bytes32[] memory forAgent = validation.getAgentValidations(agentId);
        assertEq(forAgent.length, 2);
        assertEq(forAgent[1], keccak256("c"));
        assertEq(validation.getAgentValidations(other).length, 1);
    }
}
