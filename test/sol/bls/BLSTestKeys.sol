// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BLS12381} from "../../../contracts/bls/BLS12381.sol";

/// @dev Real BLS12-381 keys and signatures for Solidity tests, computed with the EIP-2537 MSM precompiles:
/// certificates built from them go through the real BLSSignatureChecker (no double stands in for it).
abstract contract BLSTestKeys {
    uint256 internal constant BLS_R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;
    address internal constant G1_MSM = address(0x0c);
    address internal constant G2_MSM = address(0x0e);

    /// @dev The public key of secret `sk` in G1, in the registry's sign convention (negated generator times sk, negated).
    function _pubkey(uint256 sk) internal view returns (BLS12381.G1Point memory) {
        (bool ok, bytes memory out) = G1_MSM.staticcall(abi.encode(BLS12381.negG1Generator(), sk));
        require(ok, "G1 MSM");
        return BLS12381.negate(abi.decode(out, (BLS12381.G1Point)));
    }

    /// @dev sk * H(message) with the signature DST; sk = 0 gives the point at infinity.
    function _signBytes(uint256 sk, bytes memory message) internal view returns (BLS12381.G2Point memory) {
        BLS12381.G2Point memory h = BLS12381.hashToG2(message, BLS12381.DST_SIGNATURE);
        (bool ok, bytes memory out) = G2_MSM.staticcall(abi.encode(h, sk % BLS_R));
        require(ok, "G2 MSM");
        return abi.decode(out, (BLS12381.G2Point));
    }
}
