// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";

import {IdentityRegistry} from "../../../contracts/agents/IdentityRegistry.sol";
import {IIdentityRegistry, IIdentityRegistryErrors} from "../../../contracts/interfaces/IIdentityRegistry.sol";
import {AgentsFixture, OwnerSignedWallet} from "./AgentsFixture.sol";

contract IdentityRegistryTest is AgentsFixture {
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Registered(uint256 indexed agentId, string agentURI, address indexed owner);
    event URIUpdated(uint256 indexed agentId, string newURI, address indexed updatedBy);
    event MetadataSet(
        uint256 indexed agentId,
        string indexed indexedMetadataKey,
        string metadataKey,
        bytes metadataValue
    );

    // ------------------------------------------------------------------ registration

    function test_register_mintsSequentialIdsFromZeroToTheCaller() public {
        assertEq(_registerAs(alice, "ipfs://a"), 0);
        assertEq(_registerAs(bob, "ipfs://b"), 1);
        assertEq(identity.ownerOf(0), alice);
        assertEq(identity.ownerOf(1), bob);
        assertEq(identity.tokenURI(1), "ipfs://b");
        assertEq(identity.totalAgents(), 2);
    }

    function test_register_emitsTransferThenWalletMetadataThenRegistered() public {
        vm.expectEmit(address(identity));
        emit Transfer(address(0), alice, 0);
        vm.expectEmit(address(identity));
        emit MetadataSet(0, "agentWallet", "agentWallet", abi.encodePacked(alice));
        vm.expectEmit(address(identity));
        emit Registered(0, "https://agent.example/a.json", alice);
        _registerAs(alice, "https://agent.example/a.json");
    }

    function test_register_withoutURI_leavesItEmptyUntilSetAgentURI() public {
        vm.expectEmit(address(identity));
        emit Registered(0, "", alice);
        vm.prank(alice);
        uint256 agentId = identity.register();
        assertEq(identity.tokenURI(agentId), "");
        vm.expectEmit(address(identity));
        emit URIUpdated(agentId, "ipfs://later", alice);
        vm.prank(alice);
        identity.setAgentURI(agentId, "ipfs://later");
        assertEq(identity.tokenURI(agentId), "ipfs://later");
    }

    function test_register_withMetadata_storesAndEmitsEachEntry() public {
        IIdentityRegistry.MetadataEntry[] memory entries = new IIdentityRegistry.MetadataEntry[](2);
        entries[0] = IIdentityRegistry.MetadataEntry("agentName", bytes("summariser"));
        entries[1] = IIdentityRegistry.MetadataEntry("model", hex"c0ffee");
        vm.expectEmit(address(identity));
        emit MetadataSet(0, "agentWallet", "agentWallet", abi.encodePacked(alice));
        vm.expectEmit(address(identity));
        emit MetadataSet(0, "agentName", "agentName", bytes("summariser"));
        vm.expectEmit(address(identity));
        emit MetadataSet(0, "model", "model", hex"c0ffee");
        vm.expectEmit(address(identity));
        emit Registered(0, "ipfs://a", alice);
        vm.prank(alice);
        uint256 agentId = identity.register("ipfs://a", entries);
        assertEq(identity.getMetadata(agentId, "agentName"), bytes("summariser"));
        assertEq(identity.getMetadata(agentId, "model"), hex"c0ffee");
        assertEq(identity.getMetadata(agentId, "absent"), bytes(""));
    }

    function test_register_withReservedAgentWalletKey_reverts() public {
        IIdentityRegistry.MetadataEntry[] memory entries = new IIdentityRegistry.MetadataEntry[](1);
        entries[0] = IIdentityRegistry.MetadataEntry("agentWallet", abi.encodePacked(bob));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.ReservedMetadataKey.selector, "agentWallet"));
        vm.prank(alice);
        identity.register("ipfs://a", entries);
        assertEq(identity.totalAgents(), 0);
    }

    function test_register_startsTheWalletAtTheOwner() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        assertEq(identity.getAgentWallet(agentId), alice);
        assertEq(identity.getMetadata(agentId, "agentWallet"), abi.encodePacked(alice));
    }

    // ------------------------------------------------------------------ URI and metadata

    function test_setAgentURI_byApprovedOperators() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.prank(alice);
        identity.approve(operator, agentId);
        vm.prank(operator);
        identity.setAgentURI(agentId, "ipfs://by-approved");
        assertEq(identity.tokenURI(agentId), "ipfs://by-approved");

        vm.prank(alice);
        identity.setApprovalForAll(carol, true);
        vm.expectEmit(address(identity));
        emit URIUpdated(agentId, "ipfs://by-operator", carol);
        vm.prank(carol);
        identity.setAgentURI(agentId, "ipfs://by-operator");
    }

    function test_setAgentURI_byStranger_reverts() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.NotAgentOwnerOrOperator.selector, agentId, bob));
        vm.prank(bob);
        identity.setAgentURI(agentId, "ipfs://hijack");
    }

    function test_setAgentURI_unknownAgent_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.AgentNotRegistered.selector, 7));
        identity.setAgentURI(7, "ipfs://x");
    }

    function test_setMetadata_byOwner_storesAndEmits() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.expectEmit(address(identity));
        emit MetadataSet(agentId, "agentName", "agentName", bytes("v2"));
        vm.prank(alice);
        identity.setMetadata(agentId, "agentName", bytes("v2"));
        assertEq(identity.getMetadata(agentId, "agentName"), bytes("v2"));
    }

    function test_setMetadata_byStranger_reverts() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.NotAgentOwnerOrOperator.selector, agentId, bob));
        vm.prank(bob);
        identity.setMetadata(agentId, "agentName", bytes("x"));
    }

    function test_setMetadata_reservedAgentWalletKey_reverts() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.ReservedMetadataKey.selector, "agentWallet"));
        vm.prank(alice);
        identity.setMetadata(agentId, "agentWallet", abi.encodePacked(bob));
    }

    function test_setMetadata_unknownAgent_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.AgentNotRegistered.selector, 3));
        identity.setMetadata(3, "k", "v");
    }

    // ------------------------------------------------------------------ agent wallet

    function test_setAgentWallet_withEoaProof_setsWalletAndEmits() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = _walletProof(bobKey, agentId, bob, alice, deadline);
        vm.expectEmit(address(identity));
        emit MetadataSet(agentId, "agentWallet", "agentWallet", abi.encodePacked(bob));
        vm.prank(alice);
        identity.setAgentWallet(agentId, bob, deadline, proof);
        assertEq(identity.getAgentWallet(agentId), bob);
        assertEq(identity.getMetadata(agentId, "agentWallet"), abi.encodePacked(bob));
    }

    function test_setAgentWallet_withErc1271Proof_fromContractWallet() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        OwnerSignedWallet wallet = new OwnerSignedWallet(bob);
        uint256 deadline = block.timestamp + 300;
        bytes memory proof = _walletProof(bobKey, agentId, address(wallet), alice, deadline);
        vm.prank(alice);
        identity.setAgentWallet(agentId, address(wallet), deadline, proof);
        assertEq(identity.getAgentWallet(agentId), address(wallet));
    }

    function test_setAgentWallet_erc1271WalletRejectingTheProof_reverts() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        OwnerSignedWallet wallet = new OwnerSignedWallet(bob);
        uint256 deadline = block.timestamp + 300;
        // Signed by alice, but the wallet only accepts bob's signatures.
        bytes memory proof = _walletProof(aliceKey, agentId, address(wallet), alice, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IIdentityRegistryErrors.InvalidWalletSignature.selector, agentId, address(wallet))
        );
        vm.prank(alice);
        identity.setAgentWallet(agentId, address(wallet), deadline, proof);
    }

    function test_setAgentWallet_proofSignedByAnotherKey_reverts() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = _walletProof(aliceKey, agentId, bob, alice, deadline);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.InvalidWalletSignature.selector, agentId, bob));
        vm.prank(alice);
        identity.setAgentWallet(agentId, bob, deadline, proof);
    }

    function test_setAgentWallet_proofForAnotherDeadline_reverts() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = _walletProof(bobKey, agentId, bob, alice, deadline);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.InvalidWalletSignature.selector, agentId, bob));
        vm.prank(alice);
        identity.setAgentWallet(agentId, bob, deadline + 1, proof);
    }

    function test_setAgentWallet_garbageSignature_reverts() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.InvalidWalletSignature.selector, agentId, bob));
        vm.prank(alice);
        identity.setAgentWallet(agentId, bob, block.timestamp, hex"1234");
    }

    function test_setAgentWallet_expiredProof_reverts() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = _walletProof(bobKey, agentId, bob, alice, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IIdentityRegistryErrors.WalletProofExpired.selector, deadline, deadline + 1)
        );
        vm.prank(alice);
        identity.setAgentWallet(agentId, bob, deadline, proof);
    }

    function test_setAgentWallet_deadlineAtMostFiveMinutesAhead() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        uint256 tooFar = block.timestamp + 5 minutes + 1;
        bytes memory proof = _walletProof(bobKey, agentId, bob, alice, tooFar);
        vm.expectRevert(
            abi.encodeWithSelector(
                IIdentityRegistryErrors.WalletProofDeadlineTooFar.selector,
                tooFar,
                block.timestamp + 5 minutes
            )
        );
        vm.prank(alice);
        identity.setAgentWallet(agentId, bob, tooFar, proof);

        uint256 edge = block.timestamp + 5 minutes;
        proof = _walletProof(bobKey, agentId, bob, alice, edge);
        vm.prank(alice);
        identity.setAgentWallet(agentId, bob, edge, proof);
        assertEq(identity.getAgentWallet(agentId), bob);
    }

    function test_setAgentWallet_zeroWallet_reverts() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.expectRevert(IIdentityRegistryErrors.AgentWalletIsZeroAddress.selector);
        vm.prank(alice);
        identity.setAgentWallet(agentId, address(0), block.timestamp, "");
    }

    function test_setAgentWallet_byStranger_reverts() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = _walletProof(bobKey, agentId, bob, alice, deadline);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.NotAgentOwnerOrOperator.selector, agentId, bob));
        vm.prank(bob);
        identity.setAgentWallet(agentId, bob, deadline, proof);
    }

    function test_setAgentWallet_byApprovedOperator() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.prank(alice);
        identity.setApprovalForAll(operator, true);
        uint256 deadline = block.timestamp + 60;
        // The proof names the owner, not the operator who submits it.
        bytes memory proof = _walletProof(bobKey, agentId, bob, alice, deadline);
        vm.prank(operator);
        identity.setAgentWallet(agentId, bob, deadline, proof);
        assertEq(identity.getAgentWallet(agentId), bob);
    }

    function test_setAgentWallet_proofForPreviousOwner_isInvalidAfterTransfer() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = _walletProof(bobKey, agentId, bob, alice, deadline);
        vm.prank(alice);
        identity.transferFrom(alice, carol, agentId);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.InvalidWalletSignature.selector, agentId, bob));
        vm.prank(carol);
        identity.setAgentWallet(agentId, bob, deadline, proof);
    }

    function test_agentWalletDigest_isEip712OverTheSpecTypehash() public view {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("ERC8004IdentityRegistry"),
                keccak256("1"),
                block.chainid,
                address(identity)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)"),
                uint256(4),
                bob,
                alice,
                uint256(99)
            )
        );
        assertEq(
            identity.agentWalletDigest(4, bob, alice, 99),
            keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash))
        );
    }

    function test_unsetAgentWallet_clearsItAndEmitsEmptyValue() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.expectEmit(address(identity));
        emit MetadataSet(agentId, "agentWallet", "agentWallet", "");
        vm.prank(alice);
        identity.unsetAgentWallet(agentId);
        assertEq(identity.getAgentWallet(agentId), address(0));
        assertEq(identity.getMetadata(agentId, "agentWallet"), bytes(""));
    }

    function test_unsetAgentWallet_byStranger_reverts() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.NotAgentOwnerOrOperator.selector, agentId, bob));
        vm.prank(bob);
        identity.unsetAgentWallet(agentId);
    }

    function test_getAgentWallet_unknownAgent_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.AgentNotRegistered.selector, 0));
        identity.getAgentWallet(0);
    }

    // ------------------------------------------------------------------ transfers

    function test_transfer_clearsTheWallet() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = _walletProof(bobKey, agentId, bob, alice, deadline);
        vm.prank(alice);
        identity.setAgentWallet(agentId, bob, deadline, proof);

        vm.expectEmit(address(identity));
        emit MetadataSet(agentId, "agentWallet", "agentWallet", "");
        vm.prank(alice);
        identity.safeTransferFrom(alice, carol, agentId);
        assertEq(identity.ownerOf(agentId), carol);
        assertEq(identity.getAgentWallet(agentId), address(0));
        assertEq(identity.getMetadata(agentId, "agentWallet"), bytes(""));
        // The new owner manages the agent; the old one no longer does.
        vm.prank(carol);
        identity.setAgentURI(agentId, "ipfs://carol");
        vm.expectRevert(
            abi.encodeWithSelector(IIdentityRegistryErrors.NotAgentOwnerOrOperator.selector, agentId, alice)
        );
        vm.prank(alice);
        identity.setAgentURI(agentId, "ipfs://alice");
    }

    function test_selfTransfer_keepsTheWallet() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.prank(alice);
        identity.transferFrom(alice, alice, agentId);
        assertEq(identity.getAgentWallet(agentId), alice);
    }

    function test_transfer_keepsOtherMetadataAndURI() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.prank(alice);
        identity.setMetadata(agentId, "agentName", bytes("n"));
        vm.prank(alice);
        identity.transferFrom(alice, carol, agentId);
        assertEq(identity.getMetadata(agentId, "agentName"), bytes("n"));
        assertEq(identity.tokenURI(agentId), "ipfs://a");
    }

    function testFuzz_transferToAnotherOwner_alwaysClearsTheWallet(address to) public {
        vm.assume(to != address(0) && to != alice && to.code.length == 0);
        uint256 agentId = _registerAs(alice, "ipfs://a");
        vm.prank(alice);
        identity.transferFrom(alice, to, agentId);
        assertEq(identity.getAgentWallet(agentId), address(0));
        assertEq(identity.ownerOf(agentId), to);
    }

    // ------------------------------------------------------------------ views

    function test_isOwnerOrOperator_coversOwnerApprovedAndOperators() public {
        uint256 agentId = _registerAs(alice, "ipfs://a");
        assertTrue(identity.isOwnerOrOperator(agentId, alice));
        assertFalse(identity.isOwnerOrOperator(agentId, bob));
        vm.prank(alice);
        identity.approve(bob, agentId);
        assertTrue(identity.isOwnerOrOperator(agentId, bob));
        vm.prank(alice);
        identity.setApprovalForAll(carol, true);
        assertTrue(identity.isOwnerOrOperator(agentId, carol));
        assertFalse(identity.isOwnerOrOperator(99, alice));
    }

    function test_supportsErc721AndMetadataInterfaces() public view {
        assertTrue(identity.supportsInterface(type(IERC721).interfaceId));
        assertTrue(identity.supportsInterface(type(IERC721Metadata).interfaceId));
        assertEq(identity.name(), "AgentIdentity");
        assertEq(identity.symbol(), "AGENT");
    }

    function test_tokenURI_unknownAgent_revertsWithErc721Error() public {
        vm.expectRevert(abi.encodeWithSignature("ERC721NonexistentToken(uint256)", 5));
        identity.tokenURI(5);
    }

    function test_constants() public view {
        assertEq(identity.MAX_DEADLINE_DELAY(), 5 minutes);
        assertEq(identity.AGENT_WALLET_KEY(), "agentWallet");
        assertEq(
            IdentityRegistry(address(identity)).AGENT_WALLET_SET_TYPEHASH(),
            keccak256("AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)")
        );
    }
}
