// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {IdentityRegistry} from "../../../contracts/agents/IdentityRegistry.sol";

/// @dev A minimal ERC-1271 smart wallet: signatures by its owner key are valid for the wallet.
contract OwnerSignedWallet is IERC1271 {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == owner ? IERC1271.isValidSignature.selector : bytes4(0);
    }
}

/// @dev Shared set-up: an identity registry and helpers to register agents and sign wallet proofs.
abstract contract AgentsFixture is Test {
    IdentityRegistry internal identity;

    address internal alice;
    uint256 internal aliceKey;
    address internal bob;
    uint256 internal bobKey;
    address internal carol = makeAddr("carol");
    address internal operator = makeAddr("operator");

    function setUp() public virtual {
        (alice, aliceKey) = makeAddrAndKey("alice");
        (bob, bobKey) = makeAddrAndKey("bob");
        identity = new IdentityRegistry();
    }

    function _registerAs(address owner, string memory uri) internal returns (uint256 agentId) {
        vm.prank(owner);
        agentId = identity.register(uri);
    }

    function _walletProof(
        uint256 signerKey,
        uint256 agentId,
        address newWallet,
        address owner,
        uint256 deadline
    ) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(
            signerKey,
            identity.agentWalletDigest(agentId, newWallet, owner, deadline)
        );
        return abi.encodePacked(r, s, v);
    }
}
