// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {BLS12381} from "../../../contracts/bls/BLS12381.sol";
import {IBLS12381Errors} from "../../../contracts/interfaces/IBLS12381.sol";

/// @dev Exposes library reverts at an external call depth so expectRevert can see them.
contract BLS12381Caller {
    function expand(bytes memory dst) external pure returns (bytes memory) {
        return BLS12381.expandMessageXmd("", dst, 256);
    }

    function add(BLS12381.G1Point memory a, BLS12381.G1Point memory b) external view returns (BLS12381.G1Point memory) {
        return BLS12381.add(a, b);
    }

    function negate(BLS12381.G1Point memory a) external pure returns (BLS12381.G1Point memory) {
        return BLS12381.negate(a);
    }
}

/// Vectors: RFC 9380 suite BLS12381G2_XMD:SHA-256_SSWU_RO_ with the QUUX test DST, computed with
/// the noble-curves library (an independent implementation) and matching the RFC's appendix.
contract BLS12381Test is Test {
    bytes internal constant QUUX_DST = "QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_";
    BLS12381Caller internal caller = new BLS12381Caller();

    function test_expandMessageXmd_matchesRfc9380Implementation_Empty() public pure {
        bytes memory uniform = BLS12381.expandMessageXmd(bytes(""), QUUX_DST, 256);
        assertEq(
            uniform,
            hex"4cb77bf2d855ac3b311b9b170c8ffd106d53b3ad996b7446faaa19073dab8fe643b9bd30e7f2fad616f12ac42f645949bd4cc32b01762bcf98b59b1ed5ed68b17db81ee83dca4da425c46c81638d3a4c19f311c1fa0f357c60f2780d58f06542241f46b10416db00d188520f441c674e4eddd0d28fdb70bc0c536e65c2a902cad1d56c12ce5caf946d6401c556841ad392b9041a184f81602dab4d13c289f235ae601123a1059d5493205793ed224fbe69d0c219dde26d6025480734340c0e1f447dd96dea46bbd9cf125c1e9b947c7ac7de28f10a09f50799a6d75c513c16434aa199f549a751f3d2cd70f7cd42eb72eb71e6d41c99aca35075e0d47fd1da6c"
        );
    }

    function test_hashToG2_matchesRfc9380Vector_Empty() public view {
        BLS12381.G2Point memory p = BLS12381.hashToG2(bytes(""), QUUX_DST);
        assertEq(
            keccak256(abi.encode(p)),
            keccak256(
                abi.encode(
                    BLS12381.G2Point(
                        BLS12381.Fp2(
                            BLS12381.Fp(
                                0x141ebfbdca40eb85b87142e130ab689,
                                0xc673cf60f1a3e98d69335266f30d9b8d4ac44c1038e9dcdd5393faf5c41fb78a
                            ),
                            BLS12381.Fp(
                                0x5cb8437535e20ecffaef7752baddf98,
                                0x34139c38452458baeefab379ba13dff5bf5dd71b72418717047f5b0f37da03d
                            )
                        ),
                        BLS12381.Fp2(
                            BLS12381.Fp(
                                0x503921d7f6a12805e72940b963c0cf3,
                                0x471c7b2a524950ca195d11062ee75ec076daf2d4bc358c4b190c0c98064fdd92
                            ),
                            BLS12381.Fp(
                                0x12424ac32561493f3fe3c260708a12b7,
                                0xc620e7be00099a974e259ddc7d1f6395c3c811cdd19f1e8dbf3e9ecfdcbab8d6
                            )
                        )
                    )
                )
            )
        );
    }

    function test_expandMessageXmd_matchesRfc9380Implementation_Abc() public pure {
        bytes memory uniform = BLS12381.expandMessageXmd(bytes("abc"), QUUX_DST, 256);
        assertEq(
            uniform,
            hex"de6ebf4b65715033a96fbcfb9352da853de89579e5cf5ac514f89b724bb03997f8b36685f38eed9ab516f2dab757cd8c787563eccffcb963b562086fc356f4b31a4a7492dbe14c83fa94a8c450c528f44018d56d591aaaf8f5fe5d39eb6ea26853dd9677f9c5447b043b5edf69668ecc5598f5e9a6e8456e6e7ff52e4daecd16d3b680f6fa1641d50b768397624c463a4b22b132307a1ba5787c4005d79de13c43ccfa8cb56f665e6cd14d7c63f3ca39ee01da68c61e64d2402deb73858b679aa49b93fff221d8f5123141c74b18b99f45fdabfda6d9dbd1a99449980fe716da4e38a006f67ac625276f312ba56e0d33410022b706dc224191b2304484d472ce"
        );
    }

    function test_hashToG2_matchesRfc9380Vector_Abc() public view {
        BLS12381.G2Point memory p = BLS12381.hashToG2(bytes("abc"), QUUX_DST);
        assertEq(
            keccak256(abi.encode(p)),
            keccak256(
                abi.encode(
                    BLS12381.G2Point(
                        BLS12381.Fp2(
                            BLS12381.Fp(
                                0x2c2d18e033b960562aae3cab37a27ce,
                                0xd80ccd5ba4b7fe0e7a210245129dbec7780ccc7954725f4168aff2787776e6
                            ),
                            BLS12381.Fp(
                                0x139cddbccdc5e91b9623efd38c49f81a,
                                0x6f83f175e80b06fc374de9eb4b41dfe4ca3a230ed250fbe3a2acf73a41177fd8
                            )
                        ),
                        BLS12381.Fp2(
                            BLS12381.Fp(
                                0x1787327b68159716a37440985269cf58,
                                0x4bcb1e621d3a7202be6ea05c4cfe244aeb197642555a0645fb87bf7466b2ba48
                            ),
                            BLS12381.Fp(
                                0xaa65dae3c8d732d10ecd2c50f8a1ba,
                                0xf3001578f71c694e03866e9f3d49ac1e1ce70dd94a733534f106d4cec0eddd16
                            )
                        )
                    )
                )
            )
        );
    }

    function test_generatorPlusNegationIsInfinity() public view {
        BLS12381.G1Point memory g = BLS12381.negate(BLS12381.negG1Generator());
        BLS12381.G1Point memory sum = BLS12381.add(g, BLS12381.negG1Generator());
        assertTrue(BLS12381.isInfinity(sum));
    }

    function test_negateTwiceIsIdentity() public pure {
        BLS12381.G1Point memory g = BLS12381.negG1Generator();
        assertEq(keccak256(abi.encode(BLS12381.negate(BLS12381.negate(g)))), keccak256(abi.encode(g)));
    }

    function test_checkG1Subgroup_acceptsGenerator() public view {
        BLS12381.checkG1Subgroup(BLS12381.negG1Generator());
    }

    function test_addRejectsPointOffCurve() public {
        BLS12381.G1Point memory bad = BLS12381.negG1Generator();
        bad.y.b ^= 1;
        vm.expectRevert(abi.encodeWithSelector(IBLS12381Errors.BLSPrecompileFailed.selector, address(0x0b)));
        caller.add(bad, BLS12381.negG1Generator());
    }

    function test_negateRejectsNonCanonicalY() public {
        BLS12381.G1Point memory bad = BLS12381.negG1Generator();
        bad.y.a = BLS12381.P_A + 1;
        vm.expectRevert(IBLS12381Errors.BLSInvalidFieldElement.selector);
        caller.negate(bad);
    }

    function test_expandRejectsEmptyAndLongDst() public {
        vm.expectRevert(abi.encodeWithSelector(IBLS12381Errors.BLSInvalidDST.selector, 0));
        caller.expand("");
        vm.expectRevert(abi.encodeWithSelector(IBLS12381Errors.BLSInvalidDST.selector, 256));
        caller.expand(new bytes(256));
    }

    function test_verifyRejectsInfinityKey() public view {
        BLS12381.G1Point memory zero;
        BLS12381.G2Point memory h = BLS12381.hashToG2("m", BLS12381.DST_SIGNATURE);
        assertFalse(BLS12381.verify(zero, h, h));
    }

    function testFuzz_isCanonical(uint256 a, uint256 b) public pure {
        BLS12381.Fp memory e = BLS12381.Fp(a, b);
        bool expected = (a >> 128) == 0 && (a < BLS12381.P_A || (a == BLS12381.P_A && b < BLS12381.P_B));
        assertEq(BLS12381.isCanonical(e), expected);
    }
}
