// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {IdentityRegistry} from "../../../contracts/agents/IdentityRegistry.sol";
import {ReputationRegistry} from "../../../contracts/agents/ReputationRegistry.sol";

/// @dev Drives one agent through random feedback, revocations, transfers and wallet changes, keeping a
/// ghost model of what the registries must report.
contract AgentsHandler is Test {
    IdentityRegistry public immutable identity;
    ReputationRegistry public immutable reputation;
    uint256 public immutable agentId;

    address[4] public clients;
    address[3] public owners;
    uint256[2] internal walletKeys;

    address public ghostOwner;
    address public ghostWallet;
    mapping(address => uint64) public ghostGiven;
    mapping(address => mapping(uint64 => bool)) public ghostRevoked;
    mapping(address => mapping(uint64 => int256)) internal _wad;
    mapping(address => mapping(uint64 => uint8)) internal _decimals;

    constructor(IdentityRegistry identity_, ReputationRegistry reputation_) {
        identity = identity_;
        reputation = reputation_;
        for (uint256 i = 0; i < 4; ++i) clients[i] = makeAddr(string.concat("client", vm.toString(i)));
        for (uint256 i = 0; i < 3; ++i) owners[i] = makeAddr(string.concat("owner", vm.toString(i)));
        walletKeys[0] = 0xA11CE;
        walletKeys[1] = 0xB0B;
        vm.prank(owners[0]);
        agentId = identity.register("ipfs://agent");
        ghostOwner = owners[0];
        ghostWallet = owners[0];
    }

    function give(uint256 clientSeed, int128 value, uint8 decimals) external {
        address client = clients[clientSeed % 4];
        decimals = uint8(bound(decimals, 0, 18));
        value = int128(bound(value, -1e38, 1e38));
        vm.prank(client);
        reputation.giveFeedback(agentId, value, decimals, "t", "", "", "", bytes32(0));
        uint64 index = ++ghostGiven[client];
        _wad[client][index] = int256(value) * int256(10 ** (18 - decimals));
        _decimals[client][index] = decimals;
    }

    function revoke(uint256 clientSeed, uint64 indexSeed) external {
        address client = clients[clientSeed % 4];
        if (ghostGiven[client] == 0) return;
        uint64 index = uint64(bound(indexSeed, 1, ghostGiven[client]));
        if (ghostRevoked[client][index]) return;
        vm.prank(client);
        reputation.revokeFeedback(agentId, index);
        ghostRevoked[client][index] = true;
    }

    function transfer(uint256 ownerSeed) external {
        address to = owners[ownerSeed % 3];
        vm.prank(ghostOwner);
        identity.transferFrom(ghostOwner, to, agentId);
        if (to != ghostOwner) ghostWallet = address(0);
        ghostOwner = to;
    }

    function setWallet(uint256 keySeed) external {
        uint256 key = walletKeys[keySeed % 2];
        address wallet = vm.addr(key);
        uint256 deadline = block.timestamp + 60;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(
            key,
            identity.agentWalletDigest(agentId, wallet, ghostOwner, deadline)
        );
        vm.prank(ghostOwner);
        identity.setAgentWallet(agentId, wallet, deadline, abi.encodePacked(r, s, v));
        ghostWallet = wallet;
    }

    function unsetWallet() external {
        vm.prank(ghostOwner);
        identity.unsetAgentWallet(agentId);
        ghostWallet = address(0);
    }

    function clientList() external view returns (address[] memory list) {
        list = new address[](4);
        for (uint256 i = 0; i < 4; ++i) list[i] = clients[i];
    }

    /// @dev The ghost summary: count, mean at 18 decimals, and the most common decimals (smallest on a tie)
    /// lowered until the mean fits +-1e38 units.
    function expectedSummary() external view returns (uint64 count, int256 meanWad, uint8 modeDecimals) {
        int256 sum;
        uint64[19] memory seen;
        for (uint256 c = 0; c < 4; ++c) {
            address client = clients[c];
            for (uint64 i = 1; i <= ghostGiven[client]; ++i) {
                if (ghostRevoked[client][i]) continue;
                sum += _wad[client][i];
                ++seen[_decimals[client][i]];
                ++count;
            }
        }
        if (count == 0) return (0, 0, 0);
        for (uint8 d = 1; d <= 18; ++d) if (seen[d] > seen[modeDecimals]) modeDecimals = d;
        meanWad = sum / int256(uint256(count));
        // Fewer decimals when the mean does not fit +-1e38 units at the mode's precision.
        while (modeDecimals > 0) {
            int256 scaled = meanWad / int256(10 ** (18 - uint256(modeDecimals)));
            if (scaled <= 1e38 && scaled >= -1e38) break;
            --modeDecimals;
        }
    }
}

contract AgentsInvariantTest is Test {
    AgentsHandler internal handler;
    IdentityRegistry internal identity;
    ReputationRegistry internal reputation;

    function setUp() public {
        identity = new IdentityRegistry();
        reputation = new ReputationRegistry(identity);
        handler = new AgentsHandler(identity, reputation);
        targetContract(address(handler));
    }

    function invariant_lastIndexCountsEveryFeedbackOfEachClient() public view {
        for (uint256 i = 0; i < 4; ++i) {
            address client = handler.clients(i);
            assertEq(reputation.getLastIndex(handler.agentId(), client), handler.ghostGiven(client));
        }
    }

    function invariant_getClientsListsExactlyTheClientsThatGaveFeedback() public view {
        address[] memory listed = reputation.getClients(handler.agentId());
        uint256 expected;
        for (uint256 i = 0; i < 4; ++i) if (handler.ghostGiven(handler.clients(i)) > 0) ++expected;
        assertEq(listed.length, expected);
        for (uint256 i = 0; i < listed.length; ++i) assertGt(handler.ghostGiven(listed[i]), 0);
    }

    function invariant_summaryIsTheMeanOfNonRevokedFeedbackAtTheModeDecimals() public view {
        (uint64 count, int128 value, uint8 decimals) = reputation.getSummary(
            handler.agentId(),
            handler.clientList(),
            "",
            ""
        );
        (uint64 expectedCount, int256 meanWad, uint8 modeDecimals) = handler.expectedSummary();
        assertEq(count, expectedCount);
        assertEq(decimals, modeDecimals);
        // Rescaling the WAD mean to `decimals` truncates toward zero: off by less than one unit.
        int256 unit = int256(10 ** (18 - uint256(decimals)));
        int256 diff = meanWad - int256(value) * unit;
        assertTrue(diff > -unit && diff < unit, "summary is the truncated mean");
    }

    function invariant_agentWalletIsTheOwnerAtMintThenOnlyProvenWalletsAndClearedOnTransfer() public view {
        assertEq(identity.getAgentWallet(handler.agentId()), handler.ghostWallet());
        assertEq(identity.ownerOf(handler.agentId()), handler.ghostOwner());
    }
}
