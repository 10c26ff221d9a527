// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBLS12381Errors} from "../interfaces/IBLS12381.sol";

/// @title BLS12381
/// @notice BLS signatures on BLS12-381 in the Ethereum consensus layout (public keys in G1, signatures in
/// G2), verified with the EIP-2537 precompiles. Hashing to G2 follows RFC 9380
/// (BLS12381G2_XMD:SHA-256_SSWU_RO_), so signatures made by `blst` (for example the chainsafe blst bindings) verify here.
/// @dev Points use the EIP-2537 encoding: an Fp element is 64 bytes (16 zero bytes, then 48 bytes
/// big-endian), held here as two words `a` (high) and `b` (low). Fp2 is (c0, c1). Infinity is all zeros.
library BLS12381 {
    struct Fp {
        uint256 a;
        uint256 b;
    }

    struct Fp2 {
        Fp c0;
        Fp c1;
    }

    struct G1Point {
        Fp x;
        Fp y;
    }

    struct G2Point {
        Fp2 x;
        Fp2 y;
    }

    address internal constant G1_ADD = address(0x0b);
    address internal constant G1_MSM = address(0x0c);
    address internal constant G2_ADD = address(0x0d);
    address internal constant PAIRING = address(0x0f);
    address internal constant MAP_FP2_TO_G2 = address(0x11);
    address internal constant MODEXP = address(0x05);

    /// @notice Domain separation tag of the Ethereum consensus signature scheme (proof-of-possession
    /// variant), which `blst`'s default `sign` uses.
    bytes internal constant DST_SIGNATURE = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

    // p = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab
    uint256 internal constant P_A = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 internal constant P_B = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;

    uint256 internal constant G1_X_A = 0x17f1d3a73197d7942695638c4fa9ac0f;
    uint256 internal constant G1_X_B = 0xc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb;
    uint256 internal constant G1_NEG_Y_A = 0x114d1d6855d545a8aa7d76c8cf2e21f2;
    uint256 internal constant G1_NEG_Y_B = 0x67816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca;

    /// @notice The negated G1 generator, used to move the signature to the left side of the pairing.
    function negG1Generator() internal pure returns (G1Point memory) {
        return G1Point(Fp(G1_X_A, G1_X_B), Fp(G1_NEG_Y_A, G1_NEG_Y_B));
    }

    /// @notice Whether `point` is the point at infinity (all-zero encoding).
    function isInfinity(G1Point memory point) internal pure returns (bool) {
        return point.x.a | point.x.b | point.y.a | point.y.b == 0;
    }

    /// @notice Whether the Fp element is canonical: top 16 bytes zero and value < p.
    function isCanonical(Fp memory e) internal pure returns (bool) {
        if (e.a >> 128 != 0) return false;
        return e.a < P_A || (e.a == P_A && e.b < P_B);
    }

    /// @notice -point in G1 (y -> p - y); infinity stays infinity.
    function negate(G1Point memory point) internal pure returns (G1Point memory) {
        if (isInfinity(point)) return point;
        if (!isCanonical(point.y)) revert IBLS12381Errors.BLSInvalidFieldElement();
        unchecked {
            // (P_A, P_B) - (y.a, y.b) with a borrow from the high word; y < p so no underflow overall.
            uint256 borrow = point.y.b > P_B ? 1 : 0;
            return G1Point(point.x, Fp(P_A - point.y.a - borrow, P_B - point.y.b));
        }
    }

    /// @notice a + b in G1 (EIP-2537 G1ADD; checks both points are on the curve).
    function add(G1Point memory a, G1Point memory b) internal view returns (G1Point memory result) {
        bytes memory input = abi.encode(a, b);
        bytes memory output = _call(G1_ADD, input, 128);
        result = abi.decode(output, (G1Point));
    }

    /// @notice a + b in G2 (EIP-2537 G2ADD).
    function add(G2Point memory a, G2Point memory b) internal view returns (G2Point memory result) {
        bytes memory output = _call(G2_ADD, abi.encode(a, b), 256);
        result = abi.decode(output, (G2Point));
    }

    /// @notice Checks that `point` is on the curve and in the prime-order subgroup, using G1MSM (which
    /// performs the subgroup check) with scalar 1. Reverts otherwise.
    function checkG1Subgroup(G1Point memory point) internal view {
        _call(G1_MSM, abi.encode(point, uint256(1)), 128);
    }

    /// @notice e(p1[0], p2[0]) * ... * e(p1[k], p2[k]) == 1 (EIP-2537 pairing check, which also checks
    /// every input point is in its subgroup).
    function pairingCheck(G1Point[] memory p1, G2Point[] memory p2) internal view returns (bool) {
        bytes memory input;
        for (uint256 i = 0; i < p1.length; ++i) {
            input = bytes.concat(input, abi.encode(p1[i], p2[i]));
        }
        bytes memory output = _call(PAIRING, input, 32);
        return abi.decode(output, (uint256)) == 1;
    }

    /// @notice Verifies `signature` on the G2 point `messagePoint` (already hashed) under `publicKey`:
    /// e(publicKey, H(m)) == e(g1, signature). Returns false (never reverts) for a wrong signature; reverts
    /// on malformed points.
    function verify(
        G1Point memory publicKey,
        G2Point memory messagePoint,
        G2Point memory signature
    ) internal view returns (bool) {
        if (isInfinity(publicKey)) return false;
        G1Point[] memory p1 = new G1Point[](2);
        G2Point[] memory p2 = new G2Point[](2);
        p1[0] = negG1Generator();
        p2[0] = signature;
        p1[1] = publicKey;
        p2[1] = messagePoint;
        return pairingCheck(p1, p2);
    }

    /// @notice RFC 9380 hash_to_curve for G2 with SHA-256 (suite BLS12381G2_XMD:SHA-256_SSWU_RO_).
    function hashToG2(bytes memory message, bytes memory dst) internal view returns (G2Point memory) {
        bytes memory uniform = expandMessageXmd(message, dst, 256);
        Fp2 memory u0 = Fp2(_reduce(uniform, 0), _reduce(uniform, 64));
        Fp2 memory u1 = Fp2(_reduce(uniform, 128), _reduce(uniform, 192));
        // MAP_FP2_TO_G2 applies the SSWU map, the isogeny and cofactor clearing; clearing is linear, so
        // clear(Q0 + Q1) = clear(Q0) + clear(Q1).
        G2Point memory q0 = abi.decode(_call(MAP_FP2_TO_G2, abi.encode(u0), 256), (G2Point));
        G2Point memory q1 = abi.decode(_call(MAP_FP2_TO_G2, abi.encode(u1), 256), (G2Point));
        return add(q0, q1);
    }

    /// @notice RFC 9380 section 5.3.1 expand_message_xmd with SHA-256.
    function expandMessageXmd(
        bytes memory message,
        bytes memory dst,
        uint16 lenInBytes
    ) internal pure returns (bytes memory uniform) {
        if (dst.length == 0 || dst.length > 255) revert IBLS12381Errors.BLSInvalidDST(dst.length);
        uint256 ell = (uint256(lenInBytes) + 31) / 32;
        bytes memory dstPrime = bytes.concat(dst, bytes1(uint8(dst.length)));
        bytes32 b0 = sha256(bytes.concat(new bytes(64), message, bytes2(lenInBytes), bytes1(0), dstPrime));
        bytes32 bi = sha256(bytes.concat(b0, bytes1(0x01), dstPrime));
        uniform = new bytes(ell * 32);
        // RFC 9380 expand_message_xmd: writes 32-byte words into the output buffer
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(add(uniform, 32), bi)
        }
        for (uint256 i = 2; i <= ell; ++i) {
            bi = sha256(bytes.concat(b0 ^ bi, bytes1(uint8(i)), dstPrime));
            // RFC 9380 expand_message_xmd: writes 32-byte words into the output buffer
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                mstore(add(uniform, mul(i, 32)), bi)
            }
        }
        // RFC 9380 expand_message_xmd: trims the buffer to lenInBytes
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(uniform, lenInBytes)
        }
    }

    /// @dev OS2IP(uniform[offset:offset+64]) mod p through the MODEXP precompile (exponent 1).
    function _reduce(bytes memory uniform, uint256 offset) private view returns (Fp memory) {
        bytes32 hi;
        bytes32 lo;
        // loads two 32-byte words of the uniform bytes at an offset for MODEXP
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            hi := mload(add(add(uniform, 32), offset))
            lo := mload(add(add(uniform, 64), offset))
        }
        bytes memory input = abi.encodePacked(
            uint256(64),
            uint256(1),
            uint256(48),
            hi,
            lo,
            uint8(1),
            uint128(P_A),
            P_B
        );
        bytes memory output = _call(MODEXP, input, 48);
        uint256 a;
        uint256 b;
        // splits the 48-byte MODEXP output into the two limbs of Fp
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // 48 output bytes: the first 16 are the high word's low half, the next 32 the low word.
            a := shr(128, mload(add(output, 32)))
            b := mload(add(output, 48))
        }
        return Fp(a, b);
    }

    function _call(address precompile, bytes memory input, uint256 outputLength) private view returns (bytes memory) {
        (bool ok, bytes memory output) = precompile.staticcall(input);
        if (!ok || output.length != outputLength) revert IBLS12381Errors.BLSPrecompileFailed(precompile);
        return output;
    }
}
