// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ReputationRegistry} from "../../../contracts/agents/ReputationRegistry.sol";
import {IIdentityRegistry} from "../../../contracts/interfaces/IIdentityRegistry.sol";
import {IReputationRegistryErrors} from "../../../contracts/interfaces/IReputationRegistry.sol";
import {AgentsFixture} from "./AgentsFixture.sol";

contract ReputationRegistryTest is AgentsFixture {
    event NewFeedback(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        int128 value,
        uint8 valueDecimals,
        string indexed indexedTag1,
        string tag1,
        string tag2,
        string endpoint,
        string feedbackURI,
        bytes32 feedbackHash
    );
    event FeedbackRevoked(uint256 indexed agentId, address indexed clientAddress, uint64 indexed feedbackIndex);
    event ResponseAppended(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        address indexed responder,
        string responseURI,
        bytes32 responseHash
    );

    ReputationRegistry internal reputation;
    uint256 internal agentId;
    address internal dave = makeAddr("dave");

    function setUp() public override {
        super.setUp();
        reputation = new ReputationRegistry(identity);
        agentId = _registerAs(alice, "ipfs://agent");
    }

    function _give(address client, int128 value, uint8 decimals, string memory tag1, string memory tag2) internal {
        vm.prank(client);
        reputation.giveFeedback(agentId, value, decimals, tag1, tag2, "", "", bytes32(0));
    }

    function _list(address a) internal pure returns (address[] memory l) {
        l = new address[](1);
        l[0] = a;
    }

    function _list(address a, address b) internal pure returns (address[] memory l) {
        l = new address[](2);
        l[0] = a;
        l[1] = b;
    }

    // ------------------------------------------------------------------ giving feedback

    function test_constructor_zeroIdentityRegistry_reverts() public {
        vm.expectRevert(IReputationRegistryErrors.IdentityRegistryIsZeroAddress.selector);
        new ReputationRegistry(IIdentityRegistry(address(0)));
    }

    function test_getIdentityRegistry() public view {
        assertEq(reputation.getIdentityRegistry(), address(identity));
    }

    function test_giveFeedback_storesValueDecimalsTagsAndEmitsEverything() public {
        vm.expectEmit(address(reputation));
        emit NewFeedback(agentId, bob, 1, 9977, 2, "uptime", "uptime", "week", "https://a/x", "ipfs://f", bytes32("h"));
        vm.prank(bob);
        reputation.giveFeedback(agentId, 9977, 2, "uptime", "week", "https://a/x", "ipfs://f", bytes32("h"));
        (int128 value, uint8 decimals, string memory tag1, string memory tag2, bool revoked) = reputation.readFeedback(
            agentId,
            bob,
            1
        );
        assertEq(value, 9977);
        assertEq(decimals, 2);
        assertEq(tag1, "uptime");
        assertEq(tag2, "week");
        assertFalse(revoked);
    }

    function test_giveFeedback_indexesAreOneBasedPerClient() public {
        _give(bob, 1, 0, "", "");
        _give(bob, 2, 0, "", "");
        _give(carol, 3, 0, "", "");
        assertEq(reputation.getLastIndex(agentId, bob), 2);
        assertEq(reputation.getLastIndex(agentId, carol), 1);
        assertEq(reputation.getLastIndex(agentId, dave), 0);
        (int128 value, , , , ) = reputation.readFeedback(agentId, bob, 2);
        assertEq(value, 2);
    }

    function test_getClients_listsEachClientOnceInOrderOfFirstFeedback() public {
        _give(carol, 1, 0, "", "");
        _give(bob, 1, 0, "", "");
        _give(carol, 1, 0, "", "");
        address[] memory clients = reputation.getClients(agentId);
        assertEq(clients.length, 2);
        assertEq(clients[0], carol);
        assertEq(clients[1], bob);
    }

    function test_giveFeedback_byAgentOwner_reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistryErrors.SelfFeedbackNotAllowed.selector, agentId, alice)
        );
        _give(alice, 100, 0, "", "");
    }

    function test_giveFeedback_byApprovedAddress_reverts() public {
        vm.prank(alice);
        identity.approve(bob, agentId);
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistryErrors.SelfFeedbackNotAllowed.selector, agentId, bob)
        );
        _give(bob, 100, 0, "", "");
    }

    function test_giveFeedback_byOperatorForAll_reverts() public {
        vm.prank(alice);
        identity.setApprovalForAll(operator, true);
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistryErrors.SelfFeedbackNotAllowed.selector, agentId, operator)
        );
        _give(operator, 100, 0, "", "");
    }

    function test_giveFeedback_byPreviousOwnerAfterTransfer_isAllowed() public {
        vm.prank(alice);
        identity.transferFrom(alice, carol, agentId);
        _give(alice, 50, 0, "", "");
        assertEq(reputation.getLastIndex(agentId, alice), 1);
    }

    function test_giveFeedback_unknownAgent_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistryErrors.AgentNotRegistered.selector, 42));
        vm.prank(bob);
        reputation.giveFeedback(42, 1, 0, "", "", "", "", bytes32(0));
    }

    function test_giveFeedback_decimalsUpTo18_andNotMore() public {
        _give(bob, 1, 18, "", "");
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistryErrors.ValueDecimalsTooLarge.selector, 19, 18));
        _give(bob, 1, 19, "", "");
    }

    function test_giveFeedback_valueBoundedBy1e38InBothDirections() public {
        _give(bob, 1e38, 0, "", "");
        _give(bob, -1e38, 0, "", "");
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistryErrors.ValueOutOfRange.selector, 1e38 + 1, 1e38));
        _give(bob, 1e38 + 1, 0, "", "");
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistryErrors.ValueOutOfRange.selector, -1e38 - 1, 1e38));
        _give(bob, -1e38 - 1, 0, "", "");
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistryErrors.ValueOutOfRange.selector, type(int128).min, 1e38)
        );
        _give(bob, type(int128).min, 0, "", "");
    }

    function testFuzz_giveFeedback_acceptsExactlyTheSpecRange(int128 value, uint8 decimals) public {
        bool ok = decimals <= 18 && value <= 1e38 && value >= -1e38;
        if (!ok) vm.expectRevert();
        _give(bob, value, decimals, "t", "");
        if (ok) {
            (int128 stored, uint8 storedDecimals, , , ) = reputation.readFeedback(agentId, bob, 1);
            assertEq(stored, value);
            assertEq(storedDecimals, decimals);
        }
    }

    // ------------------------------------------------------------------ revoking

    function test_revokeFeedback_marksItRevokedAndEmits() public {
        _give(bob, 80, 0, "", "");
        vm.expectEmit(address(reputation));
        emit FeedbackRevoked(agentId, bob, 1);
        vm.prank(bob);
        reputation.revokeFeedback(agentId, 1);
        (, , , , bool revoked) = reputation.readFeedback(agentId, bob, 1);
        assertTrue(revoked);
    }

    function test_revokeFeedback_twice_reverts() public {
        _give(bob, 80, 0, "", "");
        vm.startPrank(bob);
        reputation.revokeFeedback(agentId, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistryErrors.FeedbackAlreadyRevoked.selector, agentId, bob, 1)
        );
        reputation.revokeFeedback(agentId, 1);
        vm.stopPrank();
    }

    function test_revokeFeedback_indexZeroOrBeyondLast_reverts() public {
        _give(bob, 80, 0, "", "");
        vm.startPrank(bob);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistryErrors.FeedbackNotFound.selector, agentId, bob, 0));
        reputation.revokeFeedback(agentId, 0);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistryErrors.FeedbackNotFound.selector, agentId, bob, 2));
        reputation.revokeFeedback(agentId, 2);
        vm.stopPrank();
    }

    function test_revokeFeedback_onlyItsAuthorCanRevoke() public {
        _give(bob, 80, 0, "", "");
        // carol has no feedback #1 of her own, so there is nothing for her to revoke.
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistryErrors.FeedbackNotFound.selector, agentId, carol, 1));
        vm.prank(carol);
        reputation.revokeFeedback(agentId, 1);
        (, , , , bool revoked) = reputation.readFeedback(agentId, bob, 1);
        assertFalse(revoked);
    }

    // ------------------------------------------------------------------ responses

    function test_appendResponse_byAnyone_emitsAndCounts() public {
        _give(bob, 10, 0, "", "");
        vm.expectEmit(address(reputation));
        emit ResponseAppended(agentId, bob, 1, alice, "ipfs://refund", bytes32("r"));
        vm.prank(alice);
        reputation.appendResponse(agentId, bob, 1, "ipfs://refund", bytes32("r"));
        vm.prank(dave);
        reputation.appendResponse(agentId, bob, 1, "ipfs://spam-tag", bytes32(0));
        vm.prank(dave);
        reputation.appendResponse(agentId, bob, 1, "ipfs://again", bytes32(0));
        address[] memory none = new address[](0);
        assertEq(reputation.getResponseCount(agentId, bob, 1, none), 3);
        assertEq(reputation.getResponseCount(agentId, bob, 1, _list(dave)), 2);
        assertEq(reputation.getResponseCount(agentId, bob, 1, _list(alice)), 1);
        assertEq(reputation.getResponseCount(agentId, bob, 1, _list(carol)), 0);
    }

    function test_getResponseCount_aggregatesOverIndexesAndClients() public {
        _give(bob, 10, 0, "", "");
        _give(bob, 20, 0, "", "");
        _give(carol, 30, 0, "", "");
        vm.startPrank(alice);
        reputation.appendResponse(agentId, bob, 1, "u", bytes32(0));
        reputation.appendResponse(agentId, bob, 2, "u", bytes32(0));
        reputation.appendResponse(agentId, carol, 1, "u", bytes32(0));
        vm.stopPrank();
        address[] memory none = new address[](0);
        assertEq(reputation.getResponseCount(agentId, bob, 0, none), 2, "all of bob's entries");
        assertEq(reputation.getResponseCount(agentId, address(0), 0, none), 3, "every client");
        assertEq(reputation.getResponseCount(agentId, address(0), 0, _list(dave)), 0, "only dave");
    }

    function test_appendResponse_toMissingFeedback_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistryErrors.FeedbackNotFound.selector, agentId, bob, 1));
        reputation.appendResponse(agentId, bob, 1, "ipfs://x", bytes32(0));
    }

    function test_appendResponse_emptyURI_reverts() public {
        _give(bob, 10, 0, "", "");
        vm.expectRevert(IReputationRegistryErrors.EmptyResponseURI.selector);
        reputation.appendResponse(agentId, bob, 1, "", bytes32(0));
    }

    function test_appendResponse_toRevokedFeedback_isAllowed() public {
        _give(bob, 10, 0, "", "");
        vm.prank(bob);
        reputation.revokeFeedback(agentId, 1);
        reputation.appendResponse(agentId, bob, 1, "ipfs://x", bytes32(0));
        assertEq(reputation.getResponseCount(agentId, bob, 1, new address[](0)), 1);
    }

    // ------------------------------------------------------------------ reads and summaries

    function test_readFeedback_missing_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistryErrors.FeedbackNotFound.selector, agentId, bob, 1));
        reputation.readFeedback(agentId, bob, 1);
    }

    function test_getSummary_requiresClientAddresses() public {
        _give(bob, 10, 0, "", "");
        vm.expectRevert(IReputationRegistryErrors.ClientAddressesRequired.selector);
        reputation.getSummary(agentId, new address[](0), "", "");
    }

    function test_getSummary_averagesOnlyTheListedClients() public {
        _give(bob, 80, 0, "", "");
        _give(bob, 90, 0, "", "");
        _give(carol, 40, 0, "", "");
        _give(dave, 0, 0, "", ""); // not listed: a Sybil the caller does not trust
        (uint64 count, int128 value, uint8 decimals) = reputation.getSummary(agentId, _list(bob, carol), "", "");
        assertEq(count, 3);
        assertEq(value, 70);
        assertEq(decimals, 0);
    }

    function test_getSummary_ignoresDuplicateClients() public {
        _give(bob, 80, 0, "", "");
        _give(carol, 40, 0, "", "");
        (uint64 count, int128 value, ) = reputation.getSummary(agentId, _list(bob, bob), "", "");
        assertEq(count, 1);
        assertEq(value, 80);
    }

    function test_getSummary_excludesRevokedFeedback() public {
        _give(bob, 100, 0, "", "");
        _give(bob, 0, 0, "", "");
        vm.prank(bob);
        reputation.revokeFeedback(agentId, 2);
        (uint64 count, int128 value, ) = reputation.getSummary(agentId, _list(bob), "", "");
        assertEq(count, 1);
        assertEq(value, 100);
    }

    function test_getSummary_filtersByTags_emptyTagMatchesAll() public {
        _give(bob, 90, 0, "starred", "a");
        _give(bob, 10, 0, "starred", "b");
        _give(bob, 500, 0, "responseTime", "a");
        (uint64 count, int128 value, ) = reputation.getSummary(agentId, _list(bob), "starred", "");
        assertEq(count, 2);
        assertEq(value, 50);
        (count, value, ) = reputation.getSummary(agentId, _list(bob), "starred", "b");
        assertEq(count, 1);
        assertEq(value, 10);
        (count, value, ) = reputation.getSummary(agentId, _list(bob), "", "a");
        assertEq(count, 2);
        assertEq(value, 295);
    }

    function test_getSummary_mixedDecimals_averagesAtWadAndReturnsTheMostCommonDecimals() public {
        // 99.77 %, 98.5 %, 97 % -> mean 98.423333...; decimals 2 occurs twice, 1 once.
        _give(bob, 9977, 2, "uptime", "");
        _give(carol, 985, 1, "uptime", "");
        _give(dave, 9700, 2, "uptime", "");
        (uint64 count, int128 value, uint8 decimals) = reputation.getSummary(agentId, _list(bob, carol), "", "");
        assertEq(count, 2);
        // (99.77 + 98.5) / 2 = 99.135; tie between decimals 2 and 1 -> the smaller, 1 -> 99.1 (toward zero).
        assertEq(decimals, 1);
        assertEq(value, 991);
        address[] memory all = new address[](3);
        all[0] = bob;
        all[1] = carol;
        all[2] = dave;
        (count, value, decimals) = reputation.getSummary(agentId, all, "", "");
        assertEq(count, 3);
        assertEq(decimals, 2);
        assertEq(value, 9842);
    }

    function test_getSummary_negativeValuesRoundTowardZero() public {
        _give(bob, -32, 1, "tradingYield", "week");
        _give(carol, -1, 1, "tradingYield", "week");
        (uint64 count, int128 value, uint8 decimals) = reputation.getSummary(agentId, _list(bob, carol), "", "");
        assertEq(count, 2);
        assertEq(decimals, 1);
        assertEq(value, -16); // -1.65 -> -1.6
    }

    function test_getSummary_extremeValuesDoNotOverflow() public {
        _give(bob, 1e38, 0, "", "");
        _give(bob, 1e38, 0, "", "");
        _give(carol, -1e38, 18, "", "");
        (uint64 count, int128 value, uint8 decimals) = reputation.getSummary(agentId, _list(bob), "", "");
        assertEq(count, 2);
        assertEq(value, 1e38);
        assertEq(decimals, 0);
        (count, value, decimals) = reputation.getSummary(agentId, _list(carol), "", "");
        assertEq(value, -1e38);
        assertEq(decimals, 18);
    }

    function test_getSummary_meanTooLargeForTheModeDecimals_dropsDecimalsInsteadOfOverflowing() public {
        // 1e38 at 0 decimals averaged with two tiny entries at 18 decimals: the mode is 18, but 3.3e37 units
        // do not fit +-1e38 at 18 decimals (3.3e55); the summary comes back at 0 decimals.
        _give(bob, 1e38, 0, "", "");
        _give(carol, 1, 18, "", "");
        _give(dave, 1, 18, "", "");
        address[] memory all = new address[](3);
        all[0] = bob;
        all[1] = carol;
        all[2] = dave;
        (uint64 count, int128 value, uint8 decimals) = reputation.getSummary(agentId, all, "", "");
        assertEq(count, 3);
        assertEq(decimals, 0);
        assertEq(value, 33333333333333333333333333333333333333);
        // A mean that fits keeps the mode's decimals: 1000 at 0 decimals with two entries at 18 decimals.
        _give(carol, 1000, 0, "x", "");
        _give(dave, 2e18, 18, "x", "");
        _give(dave, 4e18, 18, "x", "");
        (count, value, decimals) = reputation.getSummary(agentId, all, "x", "");
        assertEq(count, 3);
        assertEq(decimals, 18);
        assertEq(value, 335333333333333333333);
    }

    function test_getSummary_nothingMatching_isAllZero() public {
        _give(bob, 10, 3, "x", "");
        (uint64 count, int128 value, uint8 decimals) = reputation.getSummary(agentId, _list(bob), "y", "");
        assertEq(count, 0);
        assertEq(value, 0);
        assertEq(decimals, 0);
    }

    function testFuzz_getSummary_ofOneEntry_isThatEntry(int128 value, uint8 decimals) public {
        decimals = uint8(bound(decimals, 0, 18));
        value = int128(bound(value, -1e38, 1e38));
        _give(bob, value, decimals, "", "");
        (uint64 count, int128 summary, uint8 summaryDecimals) = reputation.getSummary(agentId, _list(bob), "", "");
        assertEq(count, 1);
        assertEq(summary, value);
        assertEq(summaryDecimals, decimals);
    }

    function test_readAllFeedback_allClientsWhenNoneGiven_revokedOnlyOnRequest() public {
        _give(bob, 1, 0, "a", "");
        _give(carol, 2, 1, "b", "z");
        _give(bob, 3, 0, "a", "");
        vm.prank(bob);
        reputation.revokeFeedback(agentId, 1);

        (
            address[] memory clients,
            uint64[] memory indexes,
            int128[] memory values,
            uint8[] memory decimals,
            string[] memory tag1s,
            string[] memory tag2s,
            bool[] memory revoked
        ) = reputation.readAllFeedback(agentId, new address[](0), "", "", false);
        assertEq(clients.length, 2);
        assertEq(clients[0], bob);
        assertEq(indexes[0], 2);
        assertEq(values[0], 3);
        assertEq(clients[1], carol);
        assertEq(decimals[1], 1);
        assertEq(tag1s[1], "b");
        assertEq(tag2s[1], "z");
        assertFalse(revoked[0]);

        (clients, indexes, , , , , revoked) = reputation.readAllFeedback(agentId, new address[](0), "", "", true);
        assertEq(clients.length, 3);
        assertEq(indexes[0], 1);
        assertTrue(revoked[0]);
    }

    function test_readAllFeedback_filtersByClientAndTag() public {
        _give(bob, 1, 0, "a", "x");
        _give(bob, 2, 0, "b", "x");
        _give(carol, 3, 0, "a", "x");
        (address[] memory clients, , int128[] memory values, , , , ) = reputation.readAllFeedback(
            agentId,
            _list(bob),
            "a",
            "",
            false
        );
        assertEq(clients.length, 1);
        assertEq(values[0], 1);
        (clients, , values, , , , ) = reputation.readAllFeedback(agentId, _list(carol, carol), "", "x", false);
        assertEq(clients.length, 1);
        assertEq(values[0], 3);
    }

    function test_constants() public view {
        assertEq(reputation.MAX_VALUE_DECIMALS(), 18);
        assertEq(reputation.MAX_ABS_VALUE(), 1e38);
    }
}
